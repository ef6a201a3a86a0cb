#pragma once
// An exact binary value: (-1)^negative x significand x 2^exponent, or an infinity or NaN.
// Multiplier styles produce their products as ExactValues so that accumulators can round
// (or, in a quire, add) them without a double rounding.

#include <cstdint>

namespace qarch::numerics {

struct ExactValue {
  enum class Class : std::uint8_t { Finite, Infinite, NaN };

  Class cls = Class::Finite;
  bool negative = false;
  std::uint64_t significand = 0;  // 0 means zero (of either sign)
  int exponent = 0;

  static ExactValue from_double(double value);  // exact
  static ExactValue nan() { return {Class::NaN, false, 0, 0}; }
  static ExactValue infinity(bool negative) { return {Class::Infinite, negative, 0, 0}; }

  bool is_zero() const { return cls == Class::Finite && significand == 0; }
  bool is_finite() const { return cls == Class::Finite; }
  // Rounded to the nearest double (ties to even); exact when the significand fits 53 bits.
  double to_double() const;
};

// The exact product. Significands of values decoded from formats of up to 32 bits have at most
// 32 significant bits, so the product fits 64 bits; wider ones are rounded to odd at 64 bits.
ExactValue multiply(const ExactValue& a, const ExactValue& b);

// a + b rounded to 53 bits with round-to-odd (exact when a + b fits 53 bits). Rounding this
// double once more to any format of at most 51 significant bits gives the correctly rounded
// a + b (Boldo and Melquiond, "Emulation of FMA and correctly rounded sums", 2008).
double add_round_to_odd(const ExactValue& a, const ExactValue& b);

}  // namespace qarch::numerics
