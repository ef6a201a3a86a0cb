#pragma once
// Bit-exact decoding and quantization of codes of a storage Format (everything but quire).
//
// A code is the format's bit pattern in the low bits() bits of a uint32_t. decode() is exact:
// a double holds every value of every format here. encode() rounds a double into the format
// with the given rounding and overflow modes; docs/numerics.md states the rules per format.

#include <cstdint>

#include "numerics/format.hpp"
#include "numerics/rounding.hpp"

namespace qarch::numerics {

struct Encoded {
  std::uint32_t code = 0;
  // The value was out of range: the rounded value, as if the format had an unbounded exponent
  // (or integer) range, exceeds the largest finite magnitude; the code is the saturated,
  // wrapped or infinite result the overflow mode asks for. Also set for NaN into a format
  // without NaN (which gives code 0 for integers, the zero or +1 code otherwise).
  bool overflow = false;
};

// The value of `code` (bits above bits() are ignored). NaN for float NaNs and posit NaR;
// negative zero for the sign-magnitude zero codes of floats, pow2 and ternary.
double decode(const Format& format, std::uint32_t code);

// Rounds `value` into `format`. `rng` is needed only for Rounding::Stochastic. Throws
// FormatError for a quire, a missing rng, or an overflow mode the format does not have
// (wrap: integer-like formats only; infinity: floats only).
Encoded encode(const Format& format, double value, Rounding rounding, Overflow overflow,
               Rng* rng = nullptr);

// encode() with nearest-even rounding and the format's default overflow mode; the code only.
std::uint32_t quantize(const Format& format, double value);

// Infinity for IEEE-style floats (overflow to +-inf, as IEEE 754), Saturate for every other
// format, fp8_e4m3 included (OCP's saturating conversion; Overflow::Infinity gives its NaN).
Overflow default_overflow(const Format& format);

// Throws FormatError if `overflow` does not apply to `format`.
void check_overflow_mode(const Format& format, Overflow overflow);

double max_value(const Format& format);     // largest finite value
double lowest_value(const Format& format);  // most negative finite value (0 for uint)
double min_positive(const Format& format);  // smallest positive value (subnormal, minpos, ...)

}  // namespace qarch::numerics
