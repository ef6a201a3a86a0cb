#include "numerics/quire.hpp"

#include <cmath>
#include <limits>

#include "numerics/codec.hpp"
#include "numerics/codec_detail.hpp"

namespace qarch::numerics {

using detail::i128;
using detail::u128;

Quire::Quire(int posit_bits, int es)
    : fraction_bits_(2 * (posit_bits - 2) * (1 << es)),
      width_bits_(32 + 2 * fraction_bits_),
      count_(static_cast<std::size_t>(width_bits_ / 64 + 2)) {}

void Quire::reset() {
  nar_ = false;
  limbs_.fill(0);
}

void Quire::add_shifted(std::uint64_t magnitude, bool negative, int shift) {
  if (magnitude == 0) return;
  if (shift < 0) {
    magnitude = -shift >= 64 ? 0 : magnitude >> -shift;
    shift = 0;
  }
  const auto index = static_cast<std::size_t>(shift / 64);
  const int bit = shift % 64;
  if (index >= count_) return;
  std::uint64_t parts[2] = {magnitude << bit, bit == 0 ? 0 : magnitude >> (64 - bit)};
  if (!negative) {
    std::uint64_t carry = 0;
    for (std::size_t i = index; i < count_; ++i) {
      const std::uint64_t add = i - index < 2 ? parts[i - index] : 0;
      const u128 s = u128{limbs_[i]} + add + carry;
      limbs_[i] = static_cast<std::uint64_t>(s);
      carry = static_cast<std::uint64_t>(s >> 64);
      if (i - index >= 1 && carry == 0) break;
    }
  } else {
    std::uint64_t borrow = 0;
    for (std::size_t i = index; i < count_; ++i) {
      const std::uint64_t sub = i - index < 2 ? parts[i - index] : 0;
      const u128 d = u128{limbs_[i]} - sub - borrow;
      limbs_[i] = static_cast<std::uint64_t>(d);
      borrow = (d >> 64) != 0 ? 1 : 0;
      if (i - index >= 1 && borrow == 0) break;
    }
  }
}

void Quire::add(const ExactValue& value) {
  if (!value.is_finite()) {
    nar_ = true;
    return;
  }
  add_shifted(value.significand, value.negative, value.exponent + fraction_bits_);
}

void Quire::add_units(i128 count) {
  const bool negative = count < 0;
  const u128 m = negative ? -static_cast<u128>(count) : static_cast<u128>(count);
  add_shifted(static_cast<std::uint64_t>(m), negative, 0);
  add_shifted(static_cast<std::uint64_t>(m >> 64), negative, 64);
}

bool Quire::overflowed() const {
  // Bits from width_bits_-1 upward must all equal the sign.
  const bool negative = (limbs_[count_ - 1] >> 63) != 0;
  for (std::size_t bit = static_cast<std::size_t>(width_bits_ - 1); bit < count_ * 64; ++bit) {
    if (((limbs_[bit / 64] >> (bit % 64)) & 1u) != (negative ? 1u : 0u)) return true;
  }
  return false;
}

double Quire::to_double_round_to_odd() const {
  std::array<std::uint64_t, kMaxLimbs> m = limbs_;
  const bool negative = (m[count_ - 1] >> 63) != 0;
  if (negative) {  // magnitude = two's complement negation
    std::uint64_t carry = 1;
    for (std::size_t i = 0; i < count_; ++i) {
      const u128 s = u128{~m[i]} + carry;
      m[i] = static_cast<std::uint64_t>(s);
      carry = static_cast<std::uint64_t>(s >> 64);
    }
  }
  std::size_t top_limb = count_;
  while (top_limb > 0 && m[top_limb - 1] == 0) --top_limb;
  if (top_limb == 0) return 0.0;
  const std::size_t t = top_limb - 1;
  // The top 128 bits (two limbs, left-aligned), then everything below them as a sticky bit.
  const int lead = __builtin_clzll(m[t]);
  u128 window = u128{m[t]} << 64;
  if (t > 0) window |= m[t - 1];
  bool sticky = false;
  for (std::size_t i = 0; i + 2 < t && !sticky; ++i) sticky = m[i] != 0;
  window <<= lead;
  if (lead > 0 && t > 1) {
    window |= m[t - 2] >> (64 - lead);
    sticky = sticky || (m[t - 2] << lead) != 0;
  } else if (t > 1) {
    sticky = sticky || m[t - 2] != 0;
  }
  // window holds bits [top, top-127]; keep 53 and fold the rest into the sticky bit.
  auto significand = static_cast<std::uint64_t>(window >> 75);
  if ((window & ((u128{1} << 75) - 1)) != 0 || sticky) significand |= 1u;
  const int top_bit = static_cast<int>(t) * 64 + 63 - lead;  // weight of the leading one
  const double magnitude = std::ldexp(static_cast<double>(significand), top_bit - 52 - fraction_bits_);
  return negative ? -magnitude : magnitude;
}

double Quire::to_double() const {
  if (nar_) return std::numeric_limits<double>::quiet_NaN();
  // Round-to-odd at 53 bits, then nearest: good enough for display; exact whenever the sum
  // has at most 53 significant bits.
  return to_double_round_to_odd();
}

std::uint32_t Quire::to_posit(const Format& posit) const {
  if (nar_) return 1u << (posit.bits() - 1);
  // Posits have at most 29 significant bits, so nearest-even of the round-to-odd double is
  // the correctly rounded posit.
  return encode(posit, to_double_round_to_odd(), Rounding::NearestEven, Overflow::Saturate).code;
}

}  // namespace qarch::numerics
