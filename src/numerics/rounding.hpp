#pragma once
// Rounding and overflow modes of quantization, and the seeded generator of stochastic rounding.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace qarch::numerics {

enum class Rounding {
  NearestEven,  // to the nearest value; ties to the even code (posits: the even bit pattern)
  TowardZero,   // truncate the magnitude
  Stochastic,   // up with probability (x - lo) / (hi - lo), from a seeded Rng
};

enum class Overflow {
  Saturate,  // clamp to the largest finite magnitude (every format)
  Wrap,      // modulo 2^N (intN, uintN, fixedN_F only)
  Infinity,  // IEEE: to +-inf (fp8_e4m3: to NaN); floats only
};

// "nearest_even", "toward_zero", "stochastic"; throws FormatError.
Rounding parse_rounding(std::string_view text);
std::string to_string(Rounding rounding);
std::vector<std::string> rounding_names();

// "saturate", "wrap", "infinity"; throws FormatError.
Overflow parse_overflow(std::string_view text);
std::string to_string(Overflow overflow);
std::vector<std::string> overflow_names();

// A small deterministic generator (SplitMix64): the same seed gives the same sequence on every
// machine. Used by stochastic rounding.
class Rng {
 public:
  explicit Rng(std::uint64_t seed = 0) : state_(seed) {}

  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // Uniform in [0, 1), 53 random bits.
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

 private:
  std::uint64_t state_;
};

}  // namespace qarch::numerics
