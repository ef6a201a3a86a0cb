#pragma once
// How a fold of the accumulation order (mapping/accumulation_order.hpp) combines its segments'
// partial sums, with the accumulator's adder `add(a, b)`: a chain (in order, from the first) or a
// balanced adder tree (neighbours pairwise, level by level, an odd one out passed up unchanged).

#include <cstddef>
#include <vector>

namespace qarch::func {

template <typename Add>
double chain_sum(const std::vector<double>& parts, Add add) {
  double sum = parts.empty() ? 0.0 : parts[0];
  for (std::size_t s = 1; s < parts.size(); ++s) sum = add(sum, parts[s]);
  return sum;
}

// Reduces `parts` in place.
template <typename Add>
double tree_sum(std::vector<double>& parts, Add add) {
  if (parts.empty()) return 0.0;
  for (std::size_t width = parts.size(); width > 1;) {
    std::size_t out = 0;
    for (std::size_t i = 0; i + 1 < width; i += 2) parts[out++] = add(parts[i], parts[i + 1]);
    if (width % 2 == 1) parts[out++] = parts[width - 1];
    width = out;
  }
  return parts[0];
}

}  // namespace qarch::func
