// posit<n,es> (Gustafson 2017; Posit Standard 2022 for es = 2): two's complement patterns, a
// regime run, es exponent bits and a fraction; 0 is all zeros, NaR is 1 followed by zeros.
// Rounding is done on the bit string (ties to the even pattern) and never gives 0 or NaR.

#include <cmath>
#include <limits>

#include "numerics/codec_detail.hpp"

namespace qarch::numerics::detail {

namespace {

// Floor division by 2^es for possibly negative exponents.
int floor_div_pow2(int value, int es) {
  const int d = 1 << es;
  return value >= 0 ? value / d : -((-value + d - 1) / d);
}

std::uint64_t clz64(std::uint64_t x) { return x == 0 ? 64 : static_cast<std::uint64_t>(__builtin_clzll(x)); }

// Value of a positive pattern (sign bit clear, non-zero).
double decode_magnitude(int n, int es, std::uint32_t pattern) {
  // The n-1 bits after the sign, left-aligned in 64 bits.
  const std::uint64_t u = static_cast<std::uint64_t>(pattern) << (64 - (n - 1));
  const bool ones = (u >> 63) != 0;
  const int run = static_cast<int>(ones ? clz64(~u) : clz64(u));
  const int run_len = run > n - 1 ? n - 1 : run;
  const int k = ones ? run_len - 1 : -run_len;
  const int used = run_len + 1;  // the run and its terminating bit (absent at the end)
  const int remaining = n - 1 - used > 0 ? n - 1 - used : 0;
  const std::uint64_t rest = used >= 64 ? 0 : u << used;
  const int exponent = es == 0 ? 0 : static_cast<int>(rest >> (64 - es));
  const int fraction_bits = remaining - es > 0 ? remaining - es : 0;
  const std::uint64_t fraction =
      fraction_bits == 0 ? 0 : (rest << es) >> (64 - fraction_bits);
  const double significand =
      std::ldexp(static_cast<double>(fraction | (std::uint64_t{1} << fraction_bits)), -fraction_bits);
  return std::ldexp(significand, k * (1 << es) + exponent);
}

}  // namespace

double decode_posit(const Format& f, std::uint32_t code) {
  const int n = f.posit_bits();
  const std::uint32_t mask = f.code_mask();
  const std::uint32_t sign_bit = 1u << (n - 1);
  code &= mask;
  if (code == 0) return 0.0;
  if (code == sign_bit) return std::numeric_limits<double>::quiet_NaN();
  const bool negative = (code & sign_bit) != 0;
  const std::uint32_t pattern = negative ? (0u - code) & mask : code;
  const double magnitude = decode_magnitude(n, f.posit_es(), pattern);
  return negative ? -magnitude : magnitude;
}

Encoded encode_posit(const Format& f, double value, Rounding rounding, Rng* rng) {
  const int n = f.posit_bits();
  const int es = f.posit_es();
  const std::uint32_t mask = f.code_mask();
  const std::uint32_t sign_bit = 1u << (n - 1);
  if (std::isnan(value) || std::isinf(value)) return {sign_bit, false};
  if (value == 0.0) return {0, false};
  const double a = std::fabs(value);
  const int max_exp = (n - 2) * (1 << es);
  const std::uint32_t maxpos = sign_bit - 1u;
  std::uint32_t pattern = 0;
  bool over = false;
  if (a >= std::ldexp(1.0, max_exp)) {
    pattern = maxpos;
    over = a > std::ldexp(1.0, max_exp);
  } else if (a <= std::ldexp(1.0, -max_exp)) {
    pattern = 1;  // minpos: a non-zero value never rounds to zero
  } else {
    int frexp_exp = 0;
    const double significand = std::frexp(a, &frexp_exp);
    const int scale = frexp_exp - 1;
    const auto fraction =
        static_cast<std::uint64_t>(std::ldexp(significand, 53)) - (std::uint64_t{1} << 52);
    const int regime = floor_div_pow2(scale, es);
    const int exponent = scale - regime * (1 << es);
    // Regime bits: regime+1 ones then a zero, or -regime zeros then a one.
    const int regime_len = regime >= 0 ? regime + 2 : -regime + 1;
    const u128 regime_bits = regime >= 0 ? ((u128{1} << (regime + 1)) - 1) << 1 : u128{1};
    const u128 bits = (regime_bits << (es + 52)) | (u128(static_cast<unsigned>(exponent)) << 52) |
                      u128{fraction};
    const int shift = regime_len + es + 52 - (n - 1);  // > 0: a is strictly inside the range
    const auto truncated = static_cast<std::uint32_t>(bits >> shift);
    const u128 rest = bits & ((u128{1} << shift) - 1);
    const u128 half = u128{1} << (shift - 1);
    pattern = truncated;
    if (rest != 0) {
      switch (rounding) {
        case Rounding::NearestEven:
          if (rest > half || (rest == half && (truncated & 1u))) ++pattern;
          break;
        case Rounding::TowardZero: break;
        case Rounding::Stochastic: {
          const double lo = decode_magnitude(n, es, truncated);
          const double hi = decode_magnitude(n, es, truncated + 1);
          if (rng->uniform() < (a - lo) / (hi - lo)) ++pattern;
          break;
        }
      }
    }
    if (pattern == 0) pattern = 1;
    if (pattern > maxpos) pattern = maxpos;
  }
  const std::uint32_t code = value < 0 ? (0u - pattern) & mask : pattern;
  return {code, over};
}

}  // namespace qarch::numerics::detail
