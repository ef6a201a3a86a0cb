#pragma once
// Rounding into a format of up to 8 bits by binary search: the least double whose code is each
// code (by increasing value), found once per format by bisection on numerics::encode itself,
// so a search gives encode's code by construction (encode is monotonic in the value). Used by
// ValueQuantizer for posits, whose encode is a long computation per value.

#include <cstdint>
#include <memory>
#include <vector>

#include "numerics/format.hpp"

namespace qarch::func {

class RoundingThresholds {
 public:
  // Null unless `format` has at most 8 bits and encode (nearest even, saturating) rounds every
  // double in [lowest(), highest()] monotonically and without overflow. Built once per format
  // and shared (thread-safe).
  static std::shared_ptr<const RoundingThresholds> of(const numerics::Format& format);

  // The code of x, for lowest() <= x <= highest().
  std::uint32_t code(double x) const {
    const double* b = least_.data();
    std::size_t n = least_.size();
    while (n > 1) {  // b: the first threshold not yet known to be <= x
      const std::size_t half = n / 2;
      b = b[half - 1] <= x ? b + half : b;
      n -= half;
    }
    return codes_[static_cast<std::size_t>(b - least_.data()) + (n == 1 && *b <= x ? 1 : 0)];
  }
  double lowest() const { return lowest_; }
  double highest() const { return highest_; }

 private:
  static std::shared_ptr<const RoundingThresholds> build(const numerics::Format& format);

  std::vector<double> least_;  // least_[i]: the least double whose code is codes_[i + 1] or above
  std::vector<std::uint32_t> codes_;  // the finite codes by increasing value
  double lowest_ = 0, highest_ = 0;
};

}  // namespace qarch::func
