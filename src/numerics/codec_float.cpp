// IEEE-style fp<e,m> (bias 2^(e-1)-1, subnormals, inf, NaN) and OCP fp8_e4m3 (no infinities,
// exponent field 1111 holds normal values, S.1111.111 is NaN).

#include <cmath>
#include <limits>

#include "numerics/codec_detail.hpp"

namespace qarch::numerics::detail {

namespace {

struct FloatLayout {
  int e;
  int m;
  int bias;
  std::uint64_t max_magnitude;  // code of the largest finite value, sign bit clear
  std::uint64_t inf_magnitude;  // IEEE only
  std::uint64_t nan_magnitude;  // the quiet NaN we produce
};

FloatLayout layout(const Format& f) {
  const int e = f.exponent_bits();
  const int m = f.mantissa_bits();
  const std::uint64_t all_exp = (std::uint64_t{1} << e) - 1;
  const std::uint64_t all_man = (std::uint64_t{1} << m) - 1;
  if (f.is_ocp_e4m3()) {
    return {e, m, f.exponent_bias(), (all_exp << m) | (all_man - 1), 0, (all_exp << m) | all_man};
  }
  return {e,
          m,
          f.exponent_bias(),
          ((all_exp - 1) << m) | all_man,
          all_exp << m,
          (all_exp << m) | (std::uint64_t{1} << (m - 1))};
}

}  // namespace

double decode_float(const Format& f, std::uint32_t code) {
  const FloatLayout l = layout(f);
  const std::uint64_t all_exp = (std::uint64_t{1} << l.e) - 1;
  const bool negative = (code >> (l.e + l.m)) & 1u;
  const std::uint64_t exp_field = (code >> l.m) & all_exp;
  const std::uint64_t man = code & ((std::uint64_t{1} << l.m) - 1);
  double magnitude = 0;
  if (f.is_ocp_e4m3()) {
    if ((code & ((std::uint64_t{1} << (l.e + l.m)) - 1)) == l.nan_magnitude) {
      return std::numeric_limits<double>::quiet_NaN();
    }
  } else if (exp_field == all_exp) {
    if (man != 0) return std::numeric_limits<double>::quiet_NaN();
    return negative ? -std::numeric_limits<double>::infinity()
                    : std::numeric_limits<double>::infinity();
  }
  if (exp_field == 0) {
    magnitude = std::ldexp(static_cast<double>(man), 1 - l.bias - l.m);
  } else {
    magnitude = std::ldexp(static_cast<double>(man | (std::uint64_t{1} << l.m)),
                           static_cast<int>(exp_field) - l.bias - l.m);
  }
  return negative ? -magnitude : magnitude;
}

Encoded encode_float(const Format& f, double value, Rounding rounding, Overflow overflow,
                     Rng* rng) {
  const FloatLayout l = layout(f);
  const std::uint32_t sign = std::signbit(value) ? 1u << (l.e + l.m) : 0u;
  if (std::isnan(value)) return {sign | static_cast<std::uint32_t>(l.nan_magnitude), false};
  const double a = std::fabs(value);
  if (a == 0.0) return {sign, false};

  const auto overflowed = [&]() -> Encoded {
    std::uint64_t magnitude = l.max_magnitude;
    if (overflow == Overflow::Infinity) {
      if (f.is_ocp_e4m3()) {
        magnitude = l.nan_magnitude;
      } else if (rounding != Rounding::TowardZero) {
        magnitude = l.inf_magnitude;  // IEEE: round-toward-zero overflows to the largest finite
      }
    }
    return {sign | static_cast<std::uint32_t>(magnitude), true};
  };
  if (std::isinf(a)) {
    if (f.has_infinity()) return {sign | static_cast<std::uint32_t>(l.inf_magnitude), false};
    return overflowed();
  }

  const int emin = 1 - l.bias;
  const int emax = f.is_ocp_e4m3() ? (1 << l.e) - 1 - l.bias : (1 << l.e) - 2 - l.bias;
  int frexp_exp = 0;
  std::frexp(a, &frexp_exp);
  const int k = frexp_exp - 1;  // a in [2^k, 2^(k+1))
  if (k > emax + 1) return overflowed();
  // Quantum (unit in the last place) of the target binade; subnormals share emin's quantum.
  const int quantum_exp = (k < emin ? emin : k) - l.m;
  const double n = round_to_integer(std::ldexp(a, -quantum_exp), rounding, rng);
  const auto count = static_cast<std::uint64_t>(n);
  // Subnormal: the count is the mantissa field (a carry into 2^m makes the smallest normal).
  // Normal: the count is 2^m + mantissa; a carry into 2^(m+1) moves into the exponent field.
  const std::uint64_t magnitude =
      k < emin ? count
               : (static_cast<std::uint64_t>(k + l.bias) << l.m) + (count - (std::uint64_t{1} << l.m));
  if (magnitude > l.max_magnitude) return overflowed();
  return {sign | static_cast<std::uint32_t>(magnitude), false};
}

}  // namespace qarch::numerics::detail
