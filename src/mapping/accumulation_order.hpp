#pragma once
// In which order the hardware adds the k products of one output (docs/functional.md, "Order").
// Each dataflow derives it from a layer's mapping (Dataflow::accumulation_order); functional
// execution follows it. The order matters only when an add can round (float and posit
// accumulators) or saturate (integer accumulators that overflow).
//
// The reduction dimension k of a product is indexed as the weights are stored: conv2d
// (channel, filter row, filter column), fc and matmul the input feature. An order is:
// - sequential: one accumulator adds the products over k = 0..K-1, starting from the bias;
// - folded: a running sum starts from the bias; each fold adds one partial sum to it, in fold
//   order. A fold's partial sum combines its segments' sums, either in order starting from the
//   first (a chain, e.g. psums draining down a column) or as a balanced binary tree (an adder
//   tree: neighbours pairwise, level by level, an odd one out passed up). A segment is a run of
//   k indices one PE accumulates from zero, in index order.

#include <cstdint>
#include <string>
#include <vector>

namespace qarch::mapping {

struct Segment {
  std::int64_t begin = 0;  // k range [begin, end) in the (possibly permuted) order
  std::int64_t end = 0;
};

struct Fold {
  std::vector<Segment> segments;
  bool tree = false;  // segments reduced by a balanced adder tree, else chained in order
};

struct AccumulationOrder {
  bool sequential = true;
  std::vector<Fold> folds;  // folded orders
  // Position p of the permuted order holds original index permutation[p]; empty: identity.
  std::vector<std::int64_t> permutation;
  std::string name;  // e.g. "sequential", "row_folds(<rows>)", "adder_tree(<width>)"
};

}  // namespace qarch::mapping
