#include "func/accumulation_order.hpp"

#include <algorithm>

namespace qarch::func {

AccumulationOrder accumulation_order(const mapping::Mapping& mp) {
  const std::int64_t k = mp.k;
  AccumulationOrder order;
  switch (mp.dataflow) {
    case arch::Dataflow::OutputStationary:
      order.sequential = true;
      order.name = "sequential";
      return order;
    case arch::Dataflow::WeightStationary:
    case arch::Dataflow::InputStationary: {
      // Sr = k in both: row fold f covers k in [f * rows, f * rows + used_rows).
      order.sequential = false;
      for (std::int64_t b = 0; b < k; b += mp.rows) {
        order.folds.push_back({Segment{b, std::min(k, b + mp.rows)}});
      }
      order.name = "row_folds(" + std::to_string(mp.rows) + ")";
      return order;
    }
    case arch::Dataflow::RowStationary: break;
  }
  order.sequential = false;
  const mapping::RowStationaryProblem& p = mp.rs_problem;
  const std::int64_t rows = p.filter_h;      // R
  const std::int64_t cols = p.filter_w;      // S
  const std::int64_t channels = k / (rows * cols);
  const std::int64_t per_row = channels * cols;
  if (rows > 1) {
    // Original k = (c, r, s); permuted position (r, c, s).
    order.permutation.resize(static_cast<std::size_t>(k));
    std::size_t pos = 0;
    for (std::int64_t r = 0; r < rows; ++r) {
      for (std::int64_t c = 0; c < channels; ++c) {
        for (std::int64_t s = 0; s < cols; ++s) {
          order.permutation[pos++] = (c * rows + r) * cols + s;
        }
      }
    }
  }
  const std::int64_t set_h = mp.rs.set_h;
  for (std::int64_t r0 = 0; r0 < rows; r0 += set_h) {
    std::vector<Segment> fold;
    for (std::int64_t r = r0; r < std::min(rows, r0 + set_h); ++r) {
      fold.push_back(Segment{r * per_row, (r + 1) * per_row});
    }
    order.folds.push_back(std::move(fold));
  }
  order.name = "row_stationary(" + std::to_string(set_h) + ")";
  return order;
}

}  // namespace qarch::func
