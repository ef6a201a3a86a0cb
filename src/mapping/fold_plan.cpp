#include "mapping/fold_plan.hpp"

#include <algorithm>

#include "mapping/packing.hpp"
#include "mapping/systolic_tiling.hpp"

namespace qarch::mapping {

using arch::Dataflow;

std::int64_t TransferList::bytes() const {
  std::int64_t sum = 0;
  for (int i = 0; i < count; ++i) sum += items[static_cast<std::size_t>(i)].bytes;
  return sum;
}

namespace {

std::int64_t region(Operand operand, bool psums) {
  if (psums) return 3 * kDramRegionBytes;
  switch (operand) {
    case Operand::Weight: return 0;
    case Operand::Input: return kDramRegionBytes;
    case Operand::Output: return 2 * kDramRegionBytes;
  }
  return 0;
}

// The part [begin, end) of `extent` of a tensor of `tensor_bytes` in group `group`.
Transfer part(Operand operand, bool psums, std::int64_t group, std::int64_t tensor_bytes,
              std::int64_t begin, std::int64_t end, std::int64_t extent) {
  Transfer t;
  t.operand = operand;
  t.partial_sums = psums;
  t.address = region(operand, psums) + group * tensor_bytes + mul_div(begin, tensor_bytes, extent);
  t.bytes = share_of(tensor_bytes, begin, end, extent);
  return t;
}

// The fold's range [begin, end) along a loop, of extent loop_elements().
struct Range {
  std::int64_t begin = 0, end = 0;
};

Range fold_range(const SystolicFold& f, int rows, int cols, Loop loop) {
  switch (loop) {
    case Loop::Row: return {f.row_fold * rows, f.row_fold * rows + f.used_rows};
    case Loop::Col: return {f.col_fold * cols, f.col_fold * cols + f.used_cols};
    case Loop::Tile: return {f.t_begin, f.t_begin + f.t};
  }
  return {};
}

// An operand's piece of this fold, as a share of its DRAM tensor of `tensor_bytes`. Pieces are
// numbered along the operand's major loop, then its minor loop, so over all folds of a group the
// distinct pieces cover [0, major x minor elements) exactly once.
Transfer piece(const Mapping& mp, const FoldWork& w, Operand operand, bool psums,
               std::int64_t tensor_bytes) {
  const OperandSpan span = operand_span(mp.dataflow, operand);
  const Range a = fold_range(w.systolic, mp.rows, mp.cols, span.major);
  const Range b = fold_range(w.systolic, mp.rows, mp.cols, span.minor);
  const std::int64_t eb = loop_elements(mp.shape, span.minor);
  const std::int64_t extent = loop_elements(mp.shape, span.major) * eb;
  const std::int64_t begin = a.begin * eb + (a.end - a.begin) * b.begin;
  const std::int64_t end = a.begin * eb + (a.end - a.begin) * b.end;
  return part(operand, psums, w.group, tensor_bytes, begin, end, extent);
}

std::int64_t nest_position(const SystolicFold& f, Loop loop) {
  return loop == Loop::Row ? f.row_fold : loop == Loop::Col ? f.col_fold : f.tile;
}

// systolic_tiling.hpp: an operand is loaded when its reuse loop's index is 0, or at every fold
// when its reuse set does not fit. Partial sums (ws, is) accumulate across row folds: kept in the
// output buffer when they fit, else read back before and written out after every row fold but
// the first and last; the final outputs leave after the last row fold (os: after every fold).
void plan_systolic(const Mapping& mp, FoldWork& w) {
  const NestIndex at = nest_index(mp.nest, mp.grid.row_folds, mp.grid.col_folds, w.fold);
  SystolicFold& f = w.systolic;
  f.row_fold = at.row;
  f.col_fold = at.col;
  f.tile = at.tile;
  f.used_rows = std::min<std::int64_t>(mp.rows, mp.shape.sr - f.row_fold * mp.rows);
  f.used_cols = std::min<std::int64_t>(mp.cols, mp.shape.sc - f.col_fold * mp.cols);
  const std::int64_t tile = std::max<std::int64_t>(1, std::min(mp.nest.tile, mp.shape.t));
  f.t_begin = f.tile * tile;
  f.t = std::min(tile, mp.shape.t - f.t_begin);
  w.cycles = systolic_cycles_per_fold(mp.dataflow, mp.rows, mp.cols, f.t);
  w.accesses = systolic_fold_accesses(mp.dataflow, f);
  // Stationary operand first (ws: weights; is: inputs), os: inputs first.
  const bool ws = mp.dataflow == arch::Dataflow::WeightStationary;
  for (Operand op : {ws ? Operand::Weight : Operand::Input, ws ? Operand::Input : Operand::Weight}) {
    const BufferTile& t = op == Operand::Weight ? mp.weights : mp.inputs;
    if (!t.resident || nest_position(f, reuse_loop(mp.dataflow, op)) == 0)
      w.loads.add(piece(mp, w, op, false, t.dram_bytes));
  }
  const Loop reduction = reuse_loop(mp.dataflow, Operand::Output);
  const std::int64_t reductions = reduction == Loop::Row ? mp.grid.row_folds
                                  : reduction == Loop::Col ? mp.grid.col_folds
                                                           : mp.nest.tiles;
  const std::int64_t step = nest_position(f, reduction);
  if (mp.psum_spill) {
    const std::int64_t all_psum_bytes = dram_bytes_for(mp.m * mp.n, mp.accumulator_bits);
    if (step > 0) w.loads.add(piece(mp, w, Operand::Output, true, all_psum_bytes));
    if (step + 1 < reductions) w.stores.add(piece(mp, w, Operand::Output, true, all_psum_bytes));
  }
  if (step + 1 == reductions) w.stores.add(piece(mp, w, Operand::Output, false, mp.outputs.dram_bytes));
}

// rs and vector folds spread each tensor's traffic evenly over the folds of the group; a tensor
// read `fetches` times is streamed that many times, wrapping around its region.
Transfer spread(Operand operand, std::int64_t group, const BufferTile& tile, std::int64_t fold,
                std::int64_t folds) {
  const std::int64_t total = tile.dram_bytes * tile.dram_fetches;
  Transfer t;
  t.operand = operand;
  t.bytes = share_of(total, fold, fold + 1, folds);
  const std::int64_t offset = tile.dram_bytes > 0 ? mul_div(fold, total, folds) % tile.dram_bytes : 0;
  t.address = region(operand, false) + group * tile.dram_bytes + offset;
  return t;
}

void plan_row_stationary(const Mapping& mp, FoldWork& w) {
  w.pass = rs_pass_at(mp.rs_problem, mp.rs, w.fold);
  w.cycles = mp.cycles_per_fold;
  const RowStationaryAccesses a = rs_pass_accesses(mp.rs_problem, mp.rs, w.pass);
  w.accesses = {a.input_reads, a.weight_reads, a.output_writes, a.psum_reads, a.macs};
  const std::int64_t folds = mp.folds_per_group;
  w.loads.add(spread(Operand::Weight, w.group, mp.weights, w.fold, folds));
  w.loads.add(spread(Operand::Input, w.group, mp.inputs, w.fold, folds));
  w.stores.add(spread(Operand::Output, w.group, mp.outputs, w.fold, folds));
}

void plan_vector(const Mapping& mp, FoldWork& w) {
  const std::int64_t total = mp.vector.input_elements;
  const std::int64_t e0 = w.fold * mp.vector.chunk_elements;
  const std::int64_t e1 = std::min(total, e0 + mp.vector.chunk_elements);
  const std::int64_t ops = share_of(mp.vector.ops, e0, e1, total);
  w.cycles = ceil_div(ops, mp.vector.lanes);
  w.accesses.input_reads = ops;
  w.accesses.output_writes = share_of(mp.vector.output_elements, e0, e1, total);
  w.loads.add(part(Operand::Input, false, 0, mp.inputs.dram_bytes, e0, e1, total));
  w.stores.add(part(Operand::Output, false, 0, mp.outputs.dram_bytes, e0, e1, total));
}

}  // namespace

FoldWork fold_work(const Mapping& mapping, std::int64_t fold_index) {
  FoldWork w;
  w.group = fold_index / mapping.folds_per_group;
  w.fold = fold_index % mapping.folds_per_group;
  switch (mapping.unit) {
    case Unit::Systolic: plan_systolic(mapping, w); break;
    case Unit::RowStationary: plan_row_stationary(mapping, w); break;
    case Unit::Vector: plan_vector(mapping, w); break;
  }
  return w;
}

}  // namespace qarch::mapping
