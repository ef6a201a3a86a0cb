#pragma once
// A quire's exact sum, held as an integer count of its lsb (2^-fraction bits), rounded to its
// posit result without the quire: the sums where the result moves to the next code are found
// once, by bisection on the accumulator itself (numerics::Accumulator::code), so a lookup gives
// the accumulator's rounding by construction. For results of up to 8 bits.

#include <cstdint>
#include <optional>
#include <vector>

#include "numerics/accumulator.hpp"

namespace qarch::func {

class QuireRounding {
 public:
  // Empty unless `accumulator` is a quire whose result has at most 8 bits, every finite result
  // value is a whole number of lsbs below 2^52, and the accumulator rounds every sum in
  // [-limit(), limit()] monotonically.
  static std::optional<QuireRounding> build(const numerics::Accumulator& accumulator);

  // The result's value for a sum of `units` lsbs, |units| <= limit().
  double value(std::int64_t units) const {
    const std::int64_t* b = thresholds_.data();
    std::size_t n = thresholds_.size();
    while (n > 1) {  // b: the first threshold not yet known to be <= units
      const std::size_t half = n / 2;
      b = b[half - 1] <= units ? b + half : b;
      n -= half;
    }
    const std::size_t above = static_cast<std::size_t>(b - thresholds_.data()) + (n == 1 && *b <= units ? 1 : 0);
    return values_[above];
  }
  static constexpr std::int64_t limit() { return (std::int64_t{1} << 52) - 1; }

 private:
  std::vector<std::int64_t> thresholds_;  // thresholds_[i]: the least sum whose result is values_[i + 1] or above
  std::vector<double> values_;            // the finite results, increasing
};

}  // namespace qarch::func
