#include "mapping/fold_plan.hpp"

#include <algorithm>

#include "mapping/packing.hpp"

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

// Partial sums accumulating across row folds (ws, is): kept in the output buffer when they fit,
// else read back before and written out after every row fold but the first and last.
void add_accumulated_outputs(const Mapping& mp, FoldWork& w, std::int64_t c0, std::int64_t c1) {
  const bool first = w.systolic.row_fold == 0;
  const bool last = w.systolic.row_fold == mp.grid.row_folds - 1;
  const std::int64_t extent = mp.shape.sc;
  if (mp.psum_spill) {
    const std::int64_t all_psum_bytes = dram_bytes_for(mp.m * mp.n, mp.accumulator_bits);
    if (!first) w.loads.add(part(Operand::Output, true, w.group, all_psum_bytes, c0, c1, extent));
    if (!last) w.stores.add(part(Operand::Output, true, w.group, all_psum_bytes, c0, c1, extent));
  }
  if (last) w.stores.add(part(Operand::Output, false, w.group, mp.outputs.dram_bytes, c0, c1, extent));
}

void plan_systolic(const Mapping& mp, FoldWork& w) {
  w.systolic = fold_at(mp.shape, mp.rows, mp.cols, w.fold);
  w.cycles = mp.cycles_per_fold;
  w.accesses = systolic_fold_accesses(mp.dataflow, mp.shape, w.systolic);
  const SystolicFold& f = w.systolic;
  const std::int64_t r0 = f.row_fold * mp.rows, r1 = r0 + f.used_rows;
  const std::int64_t c0 = f.col_fold * mp.cols, c1 = c0 + f.used_cols;
  // Cumulative area of the folds before this one (column folds outer) and after it.
  const std::int64_t area = mp.shape.sr * mp.shape.sc;
  const std::int64_t area0 = c0 * mp.shape.sr + (c1 - c0) * r0;
  const std::int64_t area1 = c0 * mp.shape.sr + (c1 - c0) * r1;
  const std::int64_t g = w.group;
  switch (mp.dataflow) {
    case Dataflow::WeightStationary:  // sr = k, sc = n, t = m
      w.loads.add(part(Operand::Weight, false, g, mp.weights.dram_bytes, area0, area1, area));
      if (f.col_fold == 0 || !mp.inputs.resident)
        w.loads.add(part(Operand::Input, false, g, mp.inputs.dram_bytes, r0, r1, mp.shape.sr));
      add_accumulated_outputs(mp, w, c0, c1);
      break;
    case Dataflow::InputStationary:  // sr = k, sc = m, t = n
      w.loads.add(part(Operand::Input, false, g, mp.inputs.dram_bytes, area0, area1, area));
      if (f.col_fold == 0 || !mp.weights.resident)
        w.loads.add(part(Operand::Weight, false, g, mp.weights.dram_bytes, r0, r1, mp.shape.sr));
      add_accumulated_outputs(mp, w, c0, c1);
      break;
    case Dataflow::OutputStationary:  // sr = m, sc = n, t = k
      if (f.col_fold == 0 || !mp.inputs.resident)
        w.loads.add(part(Operand::Input, false, g, mp.inputs.dram_bytes, r0, r1, mp.shape.sr));
      if (f.row_fold == 0 || !mp.weights.resident)
        w.loads.add(part(Operand::Weight, false, g, mp.weights.dram_bytes, c0, c1, mp.shape.sc));
      w.stores.add(part(Operand::Output, false, g, mp.outputs.dram_bytes, area0, area1, area));
      break;
    case Dataflow::RowStationary:
      break;
  }
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
