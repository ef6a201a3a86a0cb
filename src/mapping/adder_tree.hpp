#pragma once
// The adder-tree dataflow of DianNao's NFU and NVDLA's convolution core (Chen et al., ASPLOS
// 2014, section 3): Tn = rows inputs are read per cycle and broadcast to Tm = cols lanes; each
// lane multiplies them by its own Tn weights, an adder tree of ceil(log2 Tn) levels reduces the
// Tn products, and the lane register accumulates the tree's sums over the k / Tn cycles of one
// output. Partial sums never leave the lane: one output per lane every ceil(k / Tn) cycles.
//
// On the product (m x k).(k x n) of a group: lanes cover n (lane folds of Tm outputs), the tree
// covers k in chunks of Tn, the m positions run one after another. A fold is one lane fold over
// a tile of positions whose inputs fit the input buffer and whose accumulators fit the output
// buffer; the lane fold's weights (k x Tm) stay in the weight buffer across its tiles when they
// fit, and the inputs across lane folds when all of them fit. Every weight is read from the
// buffer for every position (the NFU keeps no weights: SB feeds Tn x Tm synapses per cycle).
//
// Timing of a fold of p positions: cycle g = position x chunks + chunk reads and multiplies
// chunk g, the tree's levels take the next ceil(log2 Tn) cycles, the lane register adds the
// sum one cycle later: p x chunks + ceil(log2 Tn) + 1 cycles.

#include <cstdint>

#include "mapping/dataflow.hpp"

namespace qarch::mapping {

struct AdderTreePlan : DataflowPlan {
  std::int64_t width = 0;       // Tn: inputs per lane per cycle (rows)
  std::int64_t lanes = 0;       // Tm: outputs in parallel (cols)
  std::int64_t chunks = 0;      // ceil(k / Tn): cycles per output
  std::int64_t levels = 0;      // ceil(log2 Tn): adder-tree levels
  std::int64_t lane_folds = 0;  // ceil(n / Tm)
  std::int64_t positions = 0;   // positions per tile
  std::int64_t tiles = 0;       // ceil(m / positions)
};

// The positions [begin, end) and lane fold of fold `fold` (inside its group).
struct AdderTreeFold {
  std::int64_t lane_fold = 0, tile = 0;
  std::int64_t used_lanes = 0;
  std::int64_t begin = 0, end = 0;  // positions
};

AdderTreeFold adder_tree_fold(const AdderTreePlan& plan, std::int64_t n, std::int64_t m, std::int64_t fold);

const Dataflow& adder_tree_dataflow();

}  // namespace qarch::mapping
