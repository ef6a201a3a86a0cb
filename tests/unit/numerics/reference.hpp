#pragma once
// An independent reference for the tests: decodes codes by the textbook formulas, written
// without looking at src/numerics (bit strings, powers in long double), so that the exhaustive
// tests compare the code under test against something else.

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

namespace qarch::numerics::reference {

inline long double pow2(int e) { return std::ldexp(1.0L, e); }

// Two's complement / unsigned integers with `frac` fractional bits.
inline long double integer_value(std::uint32_t code, int bits, bool is_signed, int frac) {
  long double v = static_cast<long double>(code);
  if (is_signed && code >= (std::uint64_t{1} << (bits - 1))) v -= pow2(bits);
  return v / pow2(frac);
}

// IEEE 754 style binary float with e exponent and m mantissa bits; `ocp_e4m3` switches to the
// OCP 8-bit E4M3 rules (no infinities, only S.1111.111 is NaN).
inline long double float_value(std::uint32_t code, int e, int m, bool ocp_e4m3) {
  const std::uint32_t sign = (code >> (e + m)) & 1u;
  const std::uint32_t exponent = (code >> m) & ((1u << e) - 1u);
  const std::uint32_t mantissa = code & ((1u << m) - 1u);
  const int bias = (1 << (e - 1)) - 1;
  const long double s = sign ? -1.0L : 1.0L;
  const std::uint32_t all_ones = (1u << e) - 1u;
  if (ocp_e4m3) {
    if (exponent == all_ones && mantissa == (1u << m) - 1u) {
      return std::numeric_limits<long double>::quiet_NaN();
    }
  } else if (exponent == all_ones) {
    return mantissa == 0 ? s * std::numeric_limits<long double>::infinity()
                         : std::numeric_limits<long double>::quiet_NaN();
  }
  if (exponent == 0) return s * pow2(1 - bias) * (mantissa / pow2(m));
  return s * pow2(static_cast<int>(exponent) - bias) * (1.0L + mantissa / pow2(m));
}

// Posit per the 2017 definition: read the bit string character by character.
inline long double posit_value(std::uint64_t code, int n, int es) {
  std::string bits;
  for (int i = n - 1; i >= 0; --i) bits += ((code >> i) & 1u) ? '1' : '0';
  if (bits == std::string(static_cast<std::size_t>(n), '0')) return 0.0L;
  if (bits == "1" + std::string(static_cast<std::size_t>(n - 1), '0')) {
    return std::numeric_limits<long double>::quiet_NaN();
  }
  const bool negative = bits[0] == '1';
  if (negative) {  // two's complement negate: invert and add one, on the string
    for (char& c : bits) c = c == '0' ? '1' : '0';
    for (int i = n - 1; i >= 0; --i) {
      if (bits[i] == '0') {
        bits[i] = '1';
        break;
      }
      bits[i] = '0';
    }
  }
  std::size_t pos = 1;
  const char first = bits[pos];
  int run = 0;
  while (pos < bits.size() && bits[pos] == first) {
    ++run;
    ++pos;
  }
  ++pos;  // terminating bit (may be past the end)
  const int k = first == '1' ? run - 1 : -run;
  int exponent = 0;
  for (int i = 0; i < es; ++i) {
    exponent *= 2;
    if (pos < bits.size() && bits[pos] == '1') exponent += 1;
    ++pos;
  }
  long double fraction = 1.0L;
  long double weight = 0.5L;
  for (; pos < bits.size(); ++pos, weight /= 2) {
    if (bits[pos] == '1') fraction += weight;
  }
  const long double value = pow2(k * (1 << es) + exponent) * fraction;
  return negative ? -value : value;
}

// pow2_B: sign bit, then a (B-1)-bit field f; f = 0 is zero, otherwise 2^(f-1).
inline long double pow2_value(std::uint32_t code, int bits) {
  const std::uint32_t field = code & ((1u << (bits - 1)) - 1u);
  const bool negative = (code >> (bits - 1)) & 1u;
  const long double magnitude = field == 0 ? 0.0L : pow2(static_cast<int>(field) - 1);
  return negative ? -magnitude : magnitude;
}

}  // namespace qarch::numerics::reference
