#include "mapping/systolic.hpp"

#include <algorithm>
#include <stdexcept>

#include "mapping/packing.hpp"

namespace qarch::mapping {

using arch::Dataflow;

SystolicShape systolic_shape(Dataflow dataflow, std::int64_t m, std::int64_t k, std::int64_t n) {
  switch (dataflow) {
    case Dataflow::OutputStationary: return {m, n, k};
    case Dataflow::WeightStationary: return {k, n, m};
    case Dataflow::InputStationary: return {k, m, n};
    case Dataflow::RowStationary:
    case Dataflow::AdderTree: break;
  }
  throw std::logic_error("systolic_shape: " + std::string(arch::to_string(dataflow)) + " is not a systolic dataflow");
}

std::int64_t systolic_cycles_per_fold(Dataflow dataflow, int rows, int cols, std::int64_t t) {
  // os: operands enter skewed and meet after rows + cols - 2 cycles; each PE's result is written
  // as soon as its t-th MAC is done, so the drain hides under the skew.
  // ws/is: rows cycles to shift the stationary tile in, t streaming cycles, rows - 1 for the last
  // partial sum to reach the bottom edge and cols - 1 of column skew.
  if (dataflow == Dataflow::OutputStationary) return t + rows + cols - 2;
  return 2 * std::int64_t{rows} + cols + t - 2;
}

FoldGrid fold_grid(const SystolicShape& shape, int rows, int cols) {
  return {ceil_div(shape.sr, rows), ceil_div(shape.sc, cols)};
}

SystolicFold fold_at(const SystolicShape& shape, int rows, int cols, std::int64_t index) {
  const FoldGrid grid = fold_grid(shape, rows, cols);
  SystolicFold fold;
  fold.col_fold = index / grid.row_folds;
  fold.row_fold = index % grid.row_folds;
  fold.used_rows = std::min<std::int64_t>(rows, shape.sr - fold.row_fold * rows);
  fold.used_cols = std::min<std::int64_t>(cols, shape.sc - fold.col_fold * cols);
  fold.t = shape.t;
  return fold;
}

FoldAccesses systolic_fold_accesses(Dataflow dataflow, const SystolicFold& fold) {
  const std::int64_t stationary = fold.used_rows * fold.used_cols;
  const std::int64_t along_rows = fold.t * fold.used_rows;
  const std::int64_t along_cols = fold.t * fold.used_cols;
  const std::int64_t psum_reads = fold.row_fold > 0 ? along_cols : 0;
  FoldAccesses a;
  a.macs = stationary * fold.t;
  switch (dataflow) {
    case Dataflow::WeightStationary:
      a = {along_rows, stationary, along_cols, psum_reads, a.macs};
      break;
    case Dataflow::InputStationary:
      a = {stationary, along_rows, along_cols, psum_reads, a.macs};
      break;
    case Dataflow::OutputStationary:
      a = {along_rows, along_cols, stationary, 0, a.macs};
      break;
    case Dataflow::RowStationary:
    case Dataflow::AdderTree:
      throw std::logic_error("systolic_fold_accesses: " + std::string(arch::to_string(dataflow)) +
                             " is not a systolic dataflow");
  }
  return a;
}

SystolicFigures systolic_figures(Dataflow dataflow, int rows, int cols, std::int64_t m,
                                 std::int64_t k, std::int64_t n) {
  const SystolicShape shape = systolic_shape(dataflow, m, k, n);
  const FoldGrid grid = fold_grid(shape, rows, cols);
  const std::int64_t folds = grid.folds();
  SystolicFigures f;
  if (folds == 0) return f;
  f.compute_cycles = folds * systolic_cycles_per_fold(dataflow, rows, cols, shape.t) - 1;
  // Used rows summed over row folds is sr, used columns over column folds sc, so the mean of
  // used_rows * used_cols over the grid factorises.
  const double pes = static_cast<double>(rows) * cols;
  f.mapping_efficiency =
      static_cast<double>(shape.sr) * static_cast<double>(shape.sc) / (static_cast<double>(folds) * pes);
  // SCALE-Sim divides each fold's MACs by the fold length it assumes in its utilization code:
  // t + rows + cols - 2 for os, 2 rows + 2 cols + t - 3 for ws and is (one more skew than the
  // cycle count; kept so the figure matches its report).
  const std::int64_t util_fold_cycles = dataflow == Dataflow::OutputStationary
                                            ? shape.t + rows + cols - 2
                                            : 2 * std::int64_t{rows} + 2 * cols + shape.t - 3;
  f.compute_utilization = f.mapping_efficiency * static_cast<double>(shape.t) /
                          static_cast<double>(util_fold_cycles);
  for (std::int64_t i = 0; i < folds; ++i) {
    const FoldAccesses a = systolic_fold_accesses(dataflow, fold_at(shape, rows, cols, i));
    f.accesses.input_reads += a.input_reads;
    f.accesses.weight_reads += a.weight_reads;
    f.accesses.output_writes += a.output_writes;
    f.accesses.psum_reads += a.psum_reads;
    f.accesses.macs += a.macs;
  }
  return f;
}

}  // namespace qarch::mapping
