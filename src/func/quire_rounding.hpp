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
  double value(std::int64_t units) const { return values_[index(units)]; }
  static constexpr std::int64_t limit() { return (std::int64_t{1} << 52) - 1; }

 private:
  // Sums by sign, bit length and the kSlotBits bits after the leading one: each such slot holds
  // at most one threshold (checked when built), so a slot's index and one compare give the
  // result. Magnitudes below kSmall are looked up directly.
  static constexpr int kSlotBits = 6;
  static constexpr std::uint64_t kSmall = std::uint64_t{1} << (kSlotBits + 1);
  struct Slot {
    std::int64_t threshold;  // sums from here on take the next result
    std::uint32_t base;      // the index of the slot's first sum
  };
  static std::size_t slot_of(bool negative, std::uint64_t magnitude) {
    const int length = 64 - __builtin_clzll(magnitude);  // magnitude >= kSmall
    const std::uint64_t top = (magnitude >> (length - 1 - kSlotBits)) & ((std::uint64_t{1} << kSlotBits) - 1);
    return ((static_cast<std::size_t>(negative) * 64 + static_cast<std::size_t>(length)) << kSlotBits) | top;
  }
  std::size_t index(std::int64_t units) const {
    const bool negative = units < 0;
    const std::uint64_t magnitude = negative ? 0 - static_cast<std::uint64_t>(units) : static_cast<std::uint64_t>(units);
    if (magnitude < kSmall) return small_[static_cast<std::size_t>(negative) * kSmall + magnitude];
    const Slot& s = slots_[slot_of(negative, magnitude)];
    return s.base + (units >= s.threshold ? 1 : 0);
  }

  std::vector<std::int64_t> thresholds_;  // thresholds_[i]: the least sum whose result is values_[i + 1] or above
  std::vector<double> values_;            // the finite results, increasing
  std::vector<std::uint32_t> small_;      // magnitudes below kSmall, by sign
  std::vector<Slot> slots_;
};

}  // namespace qarch::func
