#include "numerics/exact_value.hpp"

#include <cmath>
#include <limits>

#include "numerics/codec_detail.hpp"

namespace qarch::numerics {

namespace {

using detail::i128;
using detail::u128;

using detail::bit_length;

// Magnitude m x 2^exponent rounded to odd at 53 bits, as a double.
double to_double_round_to_odd(u128 m, int exponent) {
  const int excess = bit_length(m) - 53;
  if (excess > 0) {
    const bool sticky = (m & ((u128{1} << excess) - 1)) != 0;
    m >>= excess;
    if (sticky) m |= 1u;
    exponent += excess;
  }
  return std::ldexp(static_cast<double>(static_cast<std::uint64_t>(m)), exponent);
}

}  // namespace

ExactValue ExactValue::from_double(double value) {
  if (std::isnan(value)) return nan();
  if (std::isinf(value)) return infinity(value < 0);
  ExactValue v;
  v.negative = std::signbit(value);
  if (value == 0.0) return v;
  int e = 0;
  const double fraction = std::frexp(std::fabs(value), &e);
  std::uint64_t significand = static_cast<std::uint64_t>(std::ldexp(fraction, 53));
  int exponent = e - 53;
  const int trailing = __builtin_ctzll(significand);
  significand >>= trailing;
  exponent += trailing;
  v.significand = significand;
  v.exponent = exponent;
  return v;
}

double ExactValue::to_double() const {
  switch (cls) {
    case Class::NaN: return std::numeric_limits<double>::quiet_NaN();
    case Class::Infinite:
      return negative ? -std::numeric_limits<double>::infinity()
                      : std::numeric_limits<double>::infinity();
    case Class::Finite: break;
  }
  // Split so that each half converts exactly; the sum rounds once.
  const double hi = std::ldexp(static_cast<double>(significand >> 32), exponent + 32);
  const double lo = std::ldexp(static_cast<double>(significand & 0xFFFFFFFFu), exponent);
  const double magnitude = hi + lo;
  return negative ? -magnitude : magnitude;
}

ExactValue multiply(const ExactValue& a, const ExactValue& b) {
  const bool negative = a.negative != b.negative;
  if (a.cls == ExactValue::Class::NaN || b.cls == ExactValue::Class::NaN) return ExactValue::nan();
  if (a.cls == ExactValue::Class::Infinite || b.cls == ExactValue::Class::Infinite) {
    if (a.is_zero() || b.is_zero()) return ExactValue::nan();
    return ExactValue::infinity(negative);
  }
  ExactValue p;
  p.negative = negative;
  u128 m = u128{a.significand} * b.significand;
  int exponent = a.exponent + b.exponent;
  const int excess = bit_length(m) - 64;
  if (excess > 0) {
    const bool sticky = (m & ((u128{1} << excess) - 1)) != 0;
    m >>= excess;
    if (sticky) m |= 1u;
    exponent += excess;
  }
  p.significand = static_cast<std::uint64_t>(m);
  p.exponent = m == 0 ? 0 : exponent;
  return p;
}

double add_round_to_odd(const ExactValue& a, const ExactValue& b) {
  if (!a.is_finite() || !b.is_finite()) return a.to_double() + b.to_double();
  if (b.is_zero()) {
    if (a.is_zero()) return a.negative && b.negative ? -0.0 : 0.0;
    const double m = to_double_round_to_odd(a.significand, a.exponent);
    return a.negative ? -m : m;
  }
  if (a.is_zero()) return add_round_to_odd(b, a);
  // A window of 124 bits below the larger top bit, plus one bit that records whether anything
  // below the window was dropped (it sits strictly between the neighbours of the window grid,
  // so every later rounding to a coarser grid sees the same side as the exact sum).
  const int top_a = a.exponent + bit_length(a.significand);
  const int top_b = b.exponent + bit_length(b.significand);
  const int top = top_a > top_b ? top_a : top_b;
  const int lsb = top - 124;
  const auto align = [lsb](const ExactValue& v) -> i128 {
    u128 m = v.significand;
    const int shift = v.exponent - lsb;
    if (shift >= 0) {
      m <<= shift + 1;
    } else {
      const int drop = -shift;
      const bool sticky = drop >= 128 || (m & ((u128{1} << drop) - 1)) != 0;
      m = drop >= 128 ? 0 : m >> drop;
      m = (m << 1) | (sticky ? 1u : 0u);
    }
    const auto s = static_cast<i128>(m);
    return v.negative ? -s : s;
  };
  const i128 sum = align(a) + align(b);
  if (sum == 0) return 0.0;  // exact cancellation: +0 under round to nearest
  const bool negative = sum < 0;
  const double m = to_double_round_to_odd(static_cast<u128>(negative ? -sum : sum), lsb - 1);
  return negative ? -m : m;
}

}  // namespace qarch::numerics
