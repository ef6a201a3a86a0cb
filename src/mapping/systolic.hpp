#pragma once
// The systolic dataflows ws, os and is, with SCALE-Sim v2's fold and cycle semantics
// (../shared/reference/scalesim-semantics.md, restated in docs/architecture.md). One matrix
// product (m x k) . (k x n) at a time; grouped layers run their groups one after another.

#include <cstdint>

#include "arch/arch_spec.hpp"
#include "mapping/fold_accesses.hpp"

namespace qarch::mapping {

// Which product dimension lies along the array rows (sr), the columns (sc) and time (t).
// SCALE-Sim's N, T, M are m, k, n: os = (m, n, k), ws = (k, n, m), is = (k, m, n).
struct SystolicShape {
  std::int64_t sr = 0;
  std::int64_t sc = 0;
  std::int64_t t = 0;
};

SystolicShape systolic_shape(arch::Dataflow dataflow, std::int64_t m, std::int64_t k,
                             std::int64_t n);

// Cycles of one fold, the same for every fold (partial folds idle the unused PEs):
// os: t + rows + cols - 2; ws and is: 2 rows + cols + t - 2. `cols` counts the PEs an operand
// crosses along a row: physical PEs, of which each holds Mapping::lanes virtual columns.
std::int64_t systolic_cycles_per_fold(arch::Dataflow dataflow, int rows, int cols, std::int64_t t);

// One fold: row fold r covers sr range [r * rows, r * rows + used_rows), column fold c covers
// sc range [c * cols, c * cols + used_cols), stream tile j the t range [t_begin, t_begin + t).
// SCALE-Sim's folds run column folds outer, row folds inner, the stream untiled (one tile);
// the mapper may tile the stream and reorder the loops (loop_nest.hpp).
struct SystolicFold {
  std::int64_t row_fold = 0;
  std::int64_t col_fold = 0;
  std::int64_t tile = 0;
  std::int64_t used_rows = 0;
  std::int64_t used_cols = 0;
  std::int64_t t_begin = 0;
  std::int64_t t = 0;  // stream length of this fold
};

struct FoldGrid {
  std::int64_t row_folds = 0;
  std::int64_t col_folds = 0;
  std::int64_t folds() const { return row_folds * col_folds; }
};

FoldGrid fold_grid(const SystolicShape& shape, int rows, int cols);
// SCALE-Sim's fold `index` (column folds outer, untiled stream).
SystolicFold fold_at(const SystolicShape& shape, int rows, int cols, std::int64_t index);

// Buffer traffic of one fold (fold_accesses.hpp), from the data each PE edge consumes or
// produces: the stationary operand is read once per fold (used_rows x used_cols), the streamed
// operand fold.t values per used row, and (ws, is) fold.t partial sums per used column leave the
// array bottom; os reads t values per used row (inputs) and per used column (weights) and
// writes one output per used PE.

FoldAccesses systolic_fold_accesses(arch::Dataflow dataflow, const SystolicFold& fold);

// SCALE-Sim's per-layer figures for one product, in closed form.
struct SystolicFigures {
  std::int64_t compute_cycles = 0;  // folds * cycles_per_fold - 1 (last output's cycle number)
  double mapping_efficiency = 0;    // mean over folds of used PEs / all PEs
  double compute_utilization = 0;   // SCALE-Sim's "Compute Util", see the .cpp
  FoldAccesses accesses;            // summed over all folds
};

SystolicFigures systolic_figures(arch::Dataflow dataflow, int rows, int cols, std::int64_t m,
                                 std::int64_t k, std::int64_t n);

}  // namespace qarch::mapping
