#pragma once
// In which order the array adds the k products of one output (docs/functional.md, "Order"),
// derived from the layer's mapping (the one the simulator runs). The order matters only when an
// add can round (float and posit accumulators) or saturate (integer accumulators that overflow).
//
// The reduction dimension k of a product is indexed as the weights are stored: conv2d
// (channel, filter row, filter column), fc and matmul the input feature. An order is:
// - sequential (os): one PE accumulates its output over k = 0..K-1, starting from the bias;
// - folded (ws, is, rs): the output buffer holds the running sum, starting from the bias; each
//   fold adds one partial sum to it, in fold order. A fold's partial sum is the sum of its
//   segments' sums, added in order starting from zero (the psums draining down a column); a
//   segment is a run of k indices one PE (ws/is: one PE per k, so a fold is one chain down the
//   column) or a PE's register-file loop (rs) accumulates from zero, in index order.
//   ws and is cut k into folds of `rows` consecutive indices, each fold one chain. rs keeps
//   one filter row per PE: k is permuted to (filter row, channel, filter column); a fold is a
//   set of `set_h` filter rows, each a segment of channels x filter columns.

#include <cstdint>
#include <string>
#include <vector>

#include "mapping/mapping.hpp"

namespace qarch::func {

struct Segment {
  std::int64_t begin = 0;  // k range [begin, end) in the (possibly permuted) order
  std::int64_t end = 0;
};

struct AccumulationOrder {
  bool sequential = true;
  std::vector<std::vector<Segment>> folds;  // folded orders: [fold][segment]
  // rs: position p of the permuted order holds original index permutation[p]; empty: identity.
  std::vector<std::int64_t> permutation;
  std::string name;  // "sequential", "row_folds(<rows>)", "row_stationary(<set_h>)"
};

// The order in which the layer `mapping` maps (a compute layer) reduces over its k per output.
// It depends on the row folds (and rs's sets), not on the loop nest the mapper picked.
AccumulationOrder accumulation_order(const mapping::Mapping& mapping);

}  // namespace qarch::func
