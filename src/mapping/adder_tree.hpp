#pragma once
// The adder-tree dataflow of DianNao's NFU and NVDLA's convolution core (Chen et al., ASPLOS
// 2014, section 3): Tn = rows inputs are read per cycle and broadcast to Tm = cols lanes; each
// lane multiplies them by its own Tn weights, an adder tree of ceil(log2 Tn) levels reduces the
// Tn products, and the lane register accumulates the tree's sums, one chunk of Tn inputs per
// cycle. The NFU keeps no weights: SB feeds Tn x Tm synapses every cycle.
//
// On the product (m x k).(k x n) of a group: lanes cover n (lane folds of Tm outputs), the tree
// covers k in chunks of Tn, the m positions run one after another. What does not fit on chip is
// tiled as DianNao's loops tile it:
// - k tiles: a lane fold's weights for a k tile (kt x Tm, kt a multiple of Tn) fit the weight
//   buffer (SB); between k tiles the lanes' partial sums go to the output buffer (NBout) and
//   come back when the next k tile starts (psum writes and reads at accumulator width);
// - position tiles: a tile's inputs for a k tile (its share of the input tensor) fit the input
//   buffer (NBin) and its Tm accumulators the output buffer.
// A fold is one (lane fold, position tile, k tile). Two loop orders inside a lane fold:
//   positions > k tiles: partial sums stay in NBout; the lane fold's weights are re-read from
//     DRAM for every position tile unless they fit whole (one k tile);
//   k tiles > positions: each k tile's weights are read once; the partial sums of all positions
//     spill to DRAM between k tiles when there is more than one position tile.
// The plan takes the order that moves fewer DRAM bytes (positions > k tiles on a tie). Inputs
// stay across lane folds when all of them fit the input buffer, else they are re-read.
//
// Timing of a fold of p positions and c chunks: cycle g = position x c + chunk reads and
// multiplies chunk g, the tree's levels take the next ceil(log2 Tn) cycles, the lane register
// adds the sum one cycle later: p x c + ceil(log2 Tn) + 1 cycles.

#include <cstdint>

#include "mapping/dataflow.hpp"

namespace qarch::mapping {

struct AdderTreePlan : DataflowPlan {
  std::int64_t width = 0;       // Tn: inputs per lane per cycle (rows)
  std::int64_t lanes = 0;       // Tm: outputs in parallel (cols)
  std::int64_t levels = 0;      // ceil(log2 Tn): adder-tree levels
  std::int64_t lane_folds = 0;  // ceil(n / Tm)
  std::int64_t k_tile = 0;      // k per k tile, a multiple of Tn (or all of k)
  std::int64_t k_tiles = 0;     // ceil(k / k_tile)
  std::int64_t positions = 0;   // positions per position tile
  std::int64_t position_tiles = 0;
  bool k_outer = false;         // loop order: k tiles > positions (else positions > k tiles)
};

// Fold `fold` (inside its group): its lane fold, position range and k range.
struct AdderTreeFold {
  std::int64_t lane_fold = 0, position_tile = 0, k_tile = 0;
  std::int64_t used_lanes = 0;
  std::int64_t begin = 0, end = 0;      // positions
  std::int64_t k_begin = 0, k_end = 0;  // reduction indices
};

AdderTreeFold adder_tree_fold(const AdderTreePlan& plan, std::int64_t m, std::int64_t k, std::int64_t n,
                              std::int64_t fold);

const Dataflow& adder_tree_dataflow();

}  // namespace qarch::mapping
