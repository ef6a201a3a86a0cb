#pragma once
// Eyeriss row-stationary (rs) on a rows x cols array, qarch's own closed form (no SCALE-Sim
// reference; docs/architecture.md states it).
//
// A PE holds one filter row (S weights) in its register file and slides it along one ifmap row,
// producing one row of F partial sums: F * S MACs, one per cycle. A "PE set" of h x w PEs covers
// h filter rows (h = min(R, rows)) and w output rows (w = min(E, cols)); its psums accumulate
// down the set's columns. The array holds floor(rows/h) * floor(cols/w) sets that work on
// different (batch, filter) items at once and share each ifmap row by multicast. A pass runs
// all C channels of its items back to back, the psums staying in the PEs, then drains.

#include <cstdint>

#include "mapping/dataflow.hpp"
#include "mapping/fold_accesses.hpp"

namespace qarch::mapping {

struct RowStationaryProblem {  // one group of a conv layer; fc/matmul use R = S = E = 1, F = m
  std::int64_t batch = 1;
  std::int64_t channels = 0;  // C per group
  std::int64_t filters = 0;   // M per group
  std::int64_t filter_h = 1, filter_w = 1;  // R, S
  std::int64_t out_h = 1, out_w = 1;        // E, F
  std::int64_t stride_h = 1, stride_w = 1;
};

struct RowStationaryPlan {
  std::int64_t set_h = 0, set_w = 0;  // PEs per set: filter rows x output rows
  std::int64_t sets = 0;              // sets working in parallel
  std::int64_t r_folds = 0;           // filter-row folds when R > rows
  std::int64_t e_folds = 0;           // output-row folds when E > cols
  std::int64_t items = 0;             // batch * filters, spread over the sets
  std::int64_t item_rounds = 0;       // ceil(items / sets) per (r_fold, e_fold)
  std::int64_t passes = 0;            // r_folds * e_folds * item_rounds
  std::int64_t cycles_per_pass = 0;   // C * (S + F * S) + set_h - 1
  std::int64_t ifmap_row_values = 0;  // (F - 1) * stride_w + S values of one ifmap row
};

RowStationaryPlan plan_row_stationary(const RowStationaryProblem& p, int rows, int cols);

// One pass: which filter-row fold, output-row fold and items it covers.
struct RowStationaryPass {
  std::int64_t r_fold = 0, e_fold = 0, round = 0;
  std::int64_t used_h = 0, used_w = 0;  // filter rows and output rows of this fold
  std::int64_t items = 0;               // items in this pass (<= sets)
  std::int64_t batches = 0;             // distinct batch samples among them (ifmap streams)
};

// Passes run r_fold outer, e_fold, then item rounds (items ordered batch outer, filter inner).
RowStationaryPass rs_pass_at(const RowStationaryProblem& p, const RowStationaryPlan& plan,
                             std::int64_t index);

// Buffer traffic of one pass, in elements: ifmap rows each read once and multicast along a
// diagonal, filter rows into the PE register files, psum rows leaving the sets, and earlier
// filter-row folds' psums read back.
FoldAccesses rs_pass_accesses(const RowStationaryProblem& p, const RowStationaryPlan& plan,
                                       const RowStationaryPass& pass);

// A layer's rs plan, as Mapping holds it (row_stationary_dataflow.cpp).
struct RowStationaryMapping : DataflowPlan {
  RowStationaryProblem problem;
  RowStationaryPlan plan;  // its passes are the mapping's folds
};

const Dataflow& row_stationary_dataflow();

}  // namespace qarch::mapping
