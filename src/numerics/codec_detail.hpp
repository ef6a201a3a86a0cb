#pragma once
// Per-kind encoders and decoders behind codec.hpp (internal to numerics).

#include <cmath>
#include <cstdint>

#include "numerics/codec.hpp"

namespace qarch::numerics::detail {

__extension__ typedef unsigned __int128 u128;
__extension__ typedef __int128 i128;

// Number of significant bits of x (0 for 0).
inline int bit_length(u128 x) {
  const auto hi = static_cast<std::uint64_t>(x >> 64);
  if (hi != 0) return 128 - __builtin_clzll(hi);
  const auto lo = static_cast<std::uint64_t>(x);
  return lo == 0 ? 0 : 64 - __builtin_clzll(lo);
}

// Rounds y (finite) to an integer-valued double: nearest even, toward zero, or up with
// probability frac(y) (the distance to the lower neighbour, so E[result] = y).
inline double round_to_integer(double y, Rounding rounding, Rng* rng) {
  const double lo = std::floor(y);
  const double d = y - lo;  // exact
  if (d == 0.0) return y;
  switch (rounding) {
    case Rounding::NearestEven:
      if (d > 0.5) return lo + 1.0;
      if (d < 0.5) return lo;
      return std::fmod(lo, 2.0) == 0.0 ? lo : lo + 1.0;
    case Rounding::TowardZero: return std::trunc(y);
    case Rounding::Stochastic: return rng->uniform() < d ? lo + 1.0 : lo;
  }
  return lo;
}

double decode_float(const Format& f, std::uint32_t code);
Encoded encode_float(const Format& f, double value, Rounding rounding, Overflow overflow,
                     Rng* rng);
double decode_posit(const Format& f, std::uint32_t code);
Encoded encode_posit(const Format& f, double value, Rounding rounding, Rng* rng);

}  // namespace qarch::numerics::detail
