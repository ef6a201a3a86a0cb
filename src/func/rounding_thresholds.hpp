#pragma once
// Rounding into a format of up to 8 bits by binary search: the least double whose code is each
// code (by increasing value), found once per format by bisection on numerics::encode itself,
// so a search gives encode's code by construction (encode is monotonic in the value). Used by
// ValueQuantizer for posits, whose encode is a long computation per value.

#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "numerics/format.hpp"

namespace qarch::func {

// How many of the sorted values are <= x: the index of x's result in a table of thresholds (a
// branch-free binary search).
template <typename T>
std::size_t count_at_most(const std::vector<T>& sorted, T x) {
  const T* b = sorted.data();
  std::size_t n = sorted.size();
  while (n > 1) {  // b: the first value not yet known to be <= x
    const std::size_t half = n / 2;
    b = b[half - 1] <= x ? b + half : b;
    n -= half;
  }
  return static_cast<std::size_t>(b - sorted.data()) + (n == 1 && *b <= x ? 1 : 0);
}

class RoundingThresholds {
 public:
  // Null unless `format` has at most 8 bits and encode (nearest even, saturating) rounds every
  // double in [lowest(), highest()] monotonically and without overflow. Built once per format
  // and shared (thread-safe).
  static std::shared_ptr<const RoundingThresholds> of(const numerics::Format& format);

  // The code of x, for lowest() <= x <= highest().
  std::uint32_t code(double x) const {
    if (x == 0) return codes_[zero_];
    std::uint64_t bits = 0;
    std::memcpy(&bits, &x, sizeof bits);
    const auto binade = static_cast<std::int64_t>((bits >> 52) & 0x7ff) - first_binade_;
    if (binade < 0 || binade >= binades_) return codes_[count_at_most(least_, x)];  // below the smallest value's binade
    const std::size_t slot = ((static_cast<std::size_t>(bits >> 63) * static_cast<std::size_t>(binades_) +
                               static_cast<std::size_t>(binade)) << kSlotBits) |
                             static_cast<std::size_t>((bits >> (52 - kSlotBits)) & ((1u << kSlotBits) - 1));
    const Slot& s = slots_[slot];
    return codes_[s.base + (x >= s.threshold ? 1 : 0)];
  }
  double lowest() const { return lowest_; }
  double highest() const { return highest_; }

 private:
  static std::shared_ptr<const RoundingThresholds> build(const numerics::Format& format);

  std::vector<double> least_;  // least_[i]: the least double whose code is codes_[i + 1] or above
  std::vector<std::uint32_t> codes_;  // the finite codes by increasing value
  double lowest_ = 0, highest_ = 0;
  // Doubles by sign, binade and the kSlotBits bits after the leading one: each slot holds at
  // most one threshold (checked when built), so its first index and one compare give the code.
  static constexpr int kSlotBits = 6;
  struct Slot {
    double threshold;  // doubles from here on take the next code
    std::uint32_t base;
  };
  std::vector<Slot> slots_;
  std::int64_t first_binade_ = 0, binades_ = 0;  // biased exponents [first, first + binades)
  std::size_t zero_ = 0;                          // the index of 0's code
};

}  // namespace qarch::func
