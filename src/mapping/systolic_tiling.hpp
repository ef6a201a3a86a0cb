#pragma once
// What a loop nest over the systolic array's folds (loop_nest.hpp) costs in buffers and DRAM,
// in O(1), so the mapper can estimate thousands of nests per layer.
//
// Each operand spans two of the three fold loops and is reused along the third, its reuse loop
// (ws: weights span row x col and are reused across stream tiles, inputs span row x tile and are
// reused across column folds, partial sums span col x tile and accumulate across row folds; is
// swaps weights and inputs; os: inputs row x tile, weights col x tile, outputs row x col).
// Between two uses of an operand's fold piece the loops inside its reuse loop run, so its reuse
// set — what must stay on chip to avoid reading DRAM again — is:
//   reuse loop innermost (or of extent 1): the fold's piece;
//   reuse loop in the middle: the piece extended over the whole innermost loop;
//   reuse loop outermost: the whole tensor (of one group).
// An operand whose reuse set fits its buffer is loaded once per piece (when its reuse loop's
// index is 0); otherwise at every fold, i.e. `extent of its reuse loop` times. Partial sums whose
// reuse set does not fit spill to DRAM between row folds. Conv inputs are counted as the share of
// the ifmap (not of the im2col matrix) a piece covers.

#include <cstdint>

#include "mapping/buffer_tile.hpp"
#include "mapping/estimate.hpp"
#include "mapping/loop_nest.hpp"
#include "mapping/systolic.hpp"

namespace qarch::mapping {

// One group's matrix product on the array, independent of the nest.
struct SystolicProblem {
  arch::Dataflow dataflow = arch::Dataflow::WeightStationary;
  int rows = 0, cols = 0;
  int skew_cols = 0;  // physical columns (cols / Mapping::lanes): the skew along a row
  SystolicShape shape;
  FoldGrid grid;
  std::int64_t groups = 1;
  Storage value_bits[3];                // by Operand, in the buffer (outputs: accumulator bits)
  Storage dram_bits[3];                 // by Operand, in DRAM (outputs: activations)
  std::int64_t elements[3] = {0, 0, 0};  // by Operand, one group's tensor (outputs: m x n)
  arch::BufferSpec buffers[3];           // by Operand
  std::int64_t psum_bytes = 0;           // m x n partial sums at accumulator width, one group
};

// The loops an operand spans, major first (column > row > tile), and the one it is reused along.
struct OperandSpan {
  Loop major = Loop::Col, minor = Loop::Row;
};
OperandSpan operand_span(arch::Dataflow dataflow, Operand operand);
Loop reuse_loop(arch::Dataflow dataflow, Operand operand);

// Elements of the product space along a loop (Row: sr, Col: sc, Tile: t).
std::int64_t loop_elements(const SystolicShape& shape, Loop loop);

struct SystolicTiling {
  LoopNest nest;
  BufferTile tiles[3];  // by Operand
  bool psum_spill = false;
  std::int64_t folds_per_group = 0;
  std::int64_t cycles_per_fold = 0;  // of a full stream tile
  std::int64_t compute_cycles = 0;   // all groups, numbered as SCALE-Sim (last cycle, from 0)
  DmaProfile dma;                    // all groups
};

SystolicTiling tile_systolic(const SystolicProblem& problem, const LoopNest& nest);

}  // namespace qarch::mapping
