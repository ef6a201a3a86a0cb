#include "mapping/systolic_tiling.hpp"

#include <algorithm>

#include "mapping/packing.hpp"

namespace qarch::mapping {

using arch::Dataflow;

namespace {

__extension__ using Int128 = __int128;

std::int64_t ceil_mul_div(std::int64_t a, std::int64_t b, std::int64_t c) {
  if (c <= 0) return 0;
  return static_cast<std::int64_t>((static_cast<Int128>(a) * b + c - 1) / c);
}

int index(Operand o) { return static_cast<int>(o); }

}  // namespace

OperandSpan operand_span(Dataflow dataflow, Operand operand) {
  const bool os = dataflow == Dataflow::OutputStationary;
  // The stationary operand of ws (weights) and is (inputs) spans the array; the other one
  // streams along the rows; partial sums leave the columns.
  const Operand stationary = dataflow == Dataflow::InputStationary ? Operand::Input : Operand::Weight;
  if (os) {
    switch (operand) {
      case Operand::Input: return {Loop::Row, Loop::Tile};
      case Operand::Weight: return {Loop::Col, Loop::Tile};
      case Operand::Output: return {Loop::Col, Loop::Row};
    }
  }
  if (operand == Operand::Output) return {Loop::Col, Loop::Tile};
  if (operand == stationary) return {Loop::Col, Loop::Row};
  return {Loop::Row, Loop::Tile};
}

Loop reuse_loop(Dataflow dataflow, Operand operand) {
  const OperandSpan s = operand_span(dataflow, operand);
  for (Loop l : {Loop::Row, Loop::Col, Loop::Tile})
    if (l != s.major && l != s.minor) return l;
  return Loop::Tile;
}

std::int64_t loop_elements(const SystolicShape& shape, Loop loop) {
  switch (loop) {
    case Loop::Row: return shape.sr;
    case Loop::Col: return shape.sc;
    case Loop::Tile: return shape.t;
  }
  return 0;
}

SystolicTiling tile_systolic(const SystolicProblem& p, const LoopNest& nest) {
  SystolicTiling r;
  r.nest = nest;
  const auto extent = [&](Loop l) {
    return l == Loop::Row ? p.grid.row_folds : l == Loop::Col ? p.grid.col_folds : nest.tiles;
  };
  const auto fold_size = [&](Loop l) {  // the first (largest) fold along a loop
    return l == Loop::Row   ? std::min<std::int64_t>(p.rows, p.shape.sr)
           : l == Loop::Col ? std::min<std::int64_t>(p.cols, p.shape.sc)
                            : std::min(nest.tile, p.shape.t);
  };
  const std::int64_t folds = p.grid.row_folds * p.grid.col_folds * nest.tiles;
  r.folds_per_group = folds;
  const Loop reduction = reuse_loop(p.dataflow, Operand::Output);
  std::int64_t first_load = 0, last_store = 0;
  // Folds that load nothing: the product over loops of the indices at which no operand loads.
  std::int64_t quiet[3] = {p.grid.row_folds, p.grid.col_folds, nest.tiles};
  bool every_fold_loads = false;
  for (Operand op : {Operand::Weight, Operand::Input, Operand::Output}) {
    const OperandSpan s = operand_span(p.dataflow, op);
    const Loop u = reuse_loop(p.dataflow, op);
    const std::int64_t ea = loop_elements(p.shape, s.major), eb = loop_elements(p.shape, s.minor);
    std::int64_t ra = fold_size(s.major), rb = fold_size(s.minor);
    const std::int64_t piece = ra * rb;
    const int pos = nest.position(u);
    if (extent(u) > 1 && pos == 0) {
      ra = ea, rb = eb;
    } else if (extent(u) > 1 && pos == 1) {
      (nest.order[2] == s.major ? ra : rb) = nest.order[2] == s.major ? ea : eb;
    }
    const std::int64_t elements = p.elements[index(op)];
    BufferTile t = make_tile(p.buffers[index(op)], p.value_bits[index(op)], piece,
                             ceil_mul_div(elements, ra * rb, ea * eb), p.dram_bits[index(op)], elements);
    const std::int64_t piece_bytes = ceil_mul_div(t.dram_bytes, piece, ea * eb);
    if (op == Operand::Output) {
      r.psum_spill = !t.resident && extent(reduction) > 1;
      last_store = piece_bytes;
      if (r.psum_spill) quiet[static_cast<int>(reduction)] = 1;  // read back at index > 0
    } else if (t.dram_bytes > 0) {
      t.dram_fetches = t.resident ? 1 : extent(u);
      first_load += piece_bytes;
      if (!t.resident || extent(u) == 1) {
        every_fold_loads = true;
      } else {
        quiet[static_cast<int>(u)] = extent(u) - 1;
      }
    }
    r.tiles[index(op)] = t;
  }
  const BufferTile& w = r.tiles[index(Operand::Weight)];
  const BufferTile& in = r.tiles[index(Operand::Input)];
  const BufferTile& out = r.tiles[index(Operand::Output)];
  const std::int64_t psum_traffic = r.psum_spill ? (extent(reduction) - 1) * p.psum_bytes : 0;
  DmaProfile& d = r.dma;
  d.read_bytes = p.groups * (w.dram_bytes * w.dram_fetches + in.dram_bytes * in.dram_fetches + psum_traffic);
  d.write_bytes = p.groups * (out.dram_bytes + psum_traffic);
  const std::int64_t load_folds = every_fold_loads ? folds : folds - quiet[0] * quiet[1] * quiet[2];
  const std::int64_t store_folds = r.psum_spill ? folds : folds / std::max<std::int64_t>(1, extent(reduction));
  d.load_jobs = p.groups * load_folds;
  d.store_jobs = out.dram_bytes > 0 ? p.groups * store_folds : 0;
  d.first_load_bytes = first_load;
  d.last_store_bytes = last_store;
  const auto double_buffered = [&](Operand op) { return p.buffers[index(op)].double_buffered; };
  d.loads_overlap = (w.dram_bytes == 0 || double_buffered(Operand::Weight)) &&
                    (in.dram_bytes == 0 || double_buffered(Operand::Input)) &&
                    (!r.psum_spill || double_buffered(Operand::Output));
  d.stores_overlap = double_buffered(Operand::Output);

  // Every fold: its own fill and drain around its share of the stream.
  if (p.dataflow == Dataflow::OutputStationary) {
    r.cycles_per_fold = systolic_cycles_per_fold(p.dataflow, p.rows, p.skew_cols, p.shape.t);
    r.compute_cycles = p.groups * folds * r.cycles_per_fold;
  } else {
    const std::int64_t fill = systolic_cycles_per_fold(p.dataflow, p.rows, p.skew_cols, 0);
    r.cycles_per_fold = fill + fold_size(Loop::Tile);
    r.compute_cycles = p.groups * p.grid.row_folds * p.grid.col_folds * (nest.tiles * fill + p.shape.t);
  }
  r.compute_cycles = std::max<std::int64_t>(0, r.compute_cycles - 1);
  return r;
}

}  // namespace qarch::mapping
