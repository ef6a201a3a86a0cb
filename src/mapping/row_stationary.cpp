#include "mapping/row_stationary.hpp"

#include <algorithm>

#include "mapping/packing.hpp"

namespace qarch::mapping {

RowStationaryPlan plan_row_stationary(const RowStationaryProblem& p, int rows, int cols) {
  RowStationaryPlan plan;
  plan.set_h = std::min<std::int64_t>(p.filter_h, rows);
  plan.set_w = std::min<std::int64_t>(p.out_h, cols);
  plan.sets = (rows / plan.set_h) * (cols / plan.set_w);
  plan.r_folds = ceil_div(p.filter_h, plan.set_h);
  plan.e_folds = ceil_div(p.out_h, plan.set_w);
  plan.items = p.batch * p.filters;
  plan.item_rounds = ceil_div(plan.items, plan.sets);
  plan.passes = plan.r_folds * plan.e_folds * plan.item_rounds;
  // Per channel: S cycles to load the filter row, F * S MACs; then the last PE row's psum needs
  // set_h - 1 cycles to reach the bottom of the set.
  plan.cycles_per_pass = p.channels * (p.filter_w + p.out_w * p.filter_w) + plan.set_h - 1;
  plan.ifmap_row_values = (p.out_w - 1) * p.stride_w + p.filter_w;
  return plan;
}

RowStationaryPass rs_pass_at(const RowStationaryProblem& p, const RowStationaryPlan& plan,
                             std::int64_t index) {
  RowStationaryPass pass;
  pass.round = index % plan.item_rounds;
  const std::int64_t fold = index / plan.item_rounds;
  pass.e_fold = fold % plan.e_folds;
  pass.r_fold = fold / plan.e_folds;
  pass.used_h = std::min(plan.set_h, p.filter_h - pass.r_fold * plan.set_h);
  pass.used_w = std::min(plan.set_w, p.out_h - pass.e_fold * plan.set_w);
  const std::int64_t first = pass.round * plan.sets;
  const std::int64_t last = std::min(plan.items, first + plan.sets) - 1;
  pass.items = last - first + 1;
  pass.batches = last / p.filters - first / p.filters + 1;
  return pass;
}

FoldAccesses rs_pass_accesses(const RowStationaryProblem& p, const RowStationaryPlan& plan,
                                       const RowStationaryPass& pass) {
  FoldAccesses a;
  // Ifmap rows touched by a set: i + stride * j for i < used_h, j < used_w.
  const std::int64_t ifmap_rows = p.stride_h <= pass.used_h
                                      ? (pass.used_w - 1) * p.stride_h + pass.used_h
                                      : pass.used_w * pass.used_h;
  a.input_reads = p.channels * pass.batches * ifmap_rows * plan.ifmap_row_values;
  a.weight_reads = pass.items * p.channels * pass.used_h * p.filter_w;
  a.output_writes = pass.items * pass.used_w * p.out_w;
  a.psum_reads = pass.r_fold > 0 ? a.output_writes : 0;
  a.macs = pass.items * p.channels * pass.used_h * pass.used_w * p.filter_w * p.out_w;
  return a;
}

}  // namespace qarch::mapping
