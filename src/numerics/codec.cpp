#include "numerics/codec.hpp"

#include <cmath>
#include <limits>

#include "numerics/codec_detail.hpp"

namespace qarch::numerics {

namespace {

using detail::round_to_integer;

// intN, uintN, fixedN_F: code = round(value * 2^F) in N-bit two's complement (or unsigned).
double decode_integer(const Format& f, std::uint32_t code) {
  const int n = f.bits();
  code &= f.code_mask();
  std::int64_t v = code;
  if (f.is_signed() && n > 0 && ((code >> (n - 1)) & 1u)) v -= std::int64_t{1} << n;
  return std::ldexp(static_cast<double>(v), -f.fraction_bits());
}

Encoded encode_integer(const Format& f, double value, Rounding rounding, Overflow overflow,
                       Rng* rng) {
  if (std::isnan(value)) return {0, true};
  const int n = f.bits();
  const double lo = f.is_signed() ? -std::ldexp(1.0, n - 1) : 0.0;
  const double hi = f.is_signed() ? std::ldexp(1.0, n - 1) - 1.0 : std::ldexp(1.0, n) - 1.0;
  const double y = std::ldexp(value, f.fraction_bits());
  double r = std::isinf(y) ? y : round_to_integer(y, rounding, rng);
  bool over = false;
  if (r < lo || r > hi) {
    over = true;
    if (overflow == Overflow::Wrap && std::isfinite(r)) {
      const double modulus = std::ldexp(1.0, n);
      r = std::fmod(r, modulus);  // exact
      if (r < 0) r += modulus;
    } else {
      r = r < lo ? lo : hi;
    }
  }
  const auto as_int = static_cast<std::int64_t>(r);
  return {static_cast<std::uint32_t>(static_cast<std::uint64_t>(as_int)) & f.code_mask(), over};
}

// pow2_B and ternary (= pow2_2): sign bit on top, exponent field below; field 0 is zero,
// field k > 0 is 2^(k-1).
double decode_pow2(const Format& f, std::uint32_t code) {
  const int field_bits = f.bits() - 1;
  const std::uint32_t field = code & ((1u << field_bits) - 1u);
  const bool negative = (code >> field_bits) & 1u;
  const double magnitude = field == 0 ? 0.0 : std::ldexp(1.0, static_cast<int>(field) - 1);
  return negative ? -magnitude : magnitude;
}

Encoded encode_pow2(const Format& f, double value, Rounding rounding, Rng* rng) {
  if (std::isnan(value)) return {0, true};
  const int field_bits = f.bits() - 1;
  const std::int64_t max_field = (std::int64_t{1} << field_bits) - 1;
  const std::uint32_t sign = std::signbit(value) ? 1u << field_bits : 0u;
  const double a = std::fabs(value);
  std::int64_t field = 0;
  if (std::isinf(a)) {
    field = max_field + 1;
  } else if (a > 0.0) {
    int e = 0;
    std::frexp(a, &e);  // a in [2^(e-1), 2^e)
    // Neighbours lo <= a < hi with fields field_lo and field_lo + 1.
    const std::int64_t field_lo = a < 1.0 ? 0 : e;
    const double lo = a < 1.0 ? 0.0 : std::ldexp(1.0, e - 1);
    const double hi = a < 1.0 ? 1.0 : std::ldexp(1.0, e);
    field = field_lo;
    if (a != lo) {
      switch (rounding) {
        case Rounding::NearestEven: {
          const double mid = lo + (hi - lo) / 2;  // exact
          if (a > mid || (a == mid && field_lo % 2 == 1)) field = field_lo + 1;
          break;
        }
        case Rounding::TowardZero: break;
        case Rounding::Stochastic:
          if (rng->uniform() < (a - lo) / (hi - lo)) field = field_lo + 1;
          break;
      }
    }
  }
  const bool over = field > max_field;
  if (over) field = max_field;
  return {sign | static_cast<std::uint32_t>(field), over};
}

// binary: code 0 is +1, code 1 is -1 (a sign bit). Zero is the tie and goes to the even code.
Encoded encode_binary(double value, Rounding rounding, Rng* rng) {
  if (std::isnan(value)) return {0, true};
  if (rounding == Rounding::Stochastic) {
    const double p_plus = value <= -1.0 ? 0.0 : value >= 1.0 ? 1.0 : (value + 1.0) / 2.0;
    return {rng->uniform() < p_plus ? 0u : 1u, false};
  }
  return {value < 0.0 ? 1u : 0u, false};
}

}  // namespace

void check_overflow_mode(const Format& format, Overflow overflow) {
  if (!format.is_storage_format()) {
    throw FormatError(format.to_string() + " is an accumulator format and has no codes");
  }
  if (format.is_block_scaled()) {  // its codes mean nothing without their block's scale
    throw FormatError(format.to_string() + " is block-scaled: it quantizes blocks of values (block_format.hpp), "
                      "not one value");
  }
  if (overflow == Overflow::Wrap && !format.is_integer_like()) {
    throw FormatError("overflow mode 'wrap' applies to intN, uintN and fixedN_F only, not " +
                      format.to_string());
  }
  if (overflow == Overflow::Infinity && format.kind() != FormatKind::Float) {
    throw FormatError("overflow mode 'infinity' applies to floating-point formats only, not " +
                      format.to_string());
  }
}

Overflow default_overflow(const Format& format) {
  return format.has_infinity() ? Overflow::Infinity : Overflow::Saturate;
}

double decode(const Format& format, std::uint32_t code) {
  code &= format.code_mask();
  switch (format.kind()) {
    case FormatKind::Int:
    case FormatKind::UInt:
    case FormatKind::Fixed: return decode_integer(format, code);
    case FormatKind::Float: return detail::decode_float(format, code);
    case FormatKind::Posit: return detail::decode_posit(format, code);
    case FormatKind::Pow2:
    case FormatKind::Ternary: return decode_pow2(format, code);
    case FormatKind::Binary: return code == 0 ? 1.0 : -1.0;
    case FormatKind::Quire: break;
  }
  return std::numeric_limits<double>::quiet_NaN();
}

Encoded encode(const Format& format, double value, Rounding rounding, Overflow overflow,
               Rng* rng) {
  check_overflow_mode(format, overflow);
  if (rounding == Rounding::Stochastic && rng == nullptr) {
    throw FormatError("stochastic rounding needs a random generator (seed)");
  }
  switch (format.kind()) {
    case FormatKind::Int:
    case FormatKind::UInt:
    case FormatKind::Fixed: return encode_integer(format, value, rounding, overflow, rng);
    case FormatKind::Float: return detail::encode_float(format, value, rounding, overflow, rng);
    case FormatKind::Posit: return detail::encode_posit(format, value, rounding, rng);
    case FormatKind::Pow2:
    case FormatKind::Ternary: return encode_pow2(format, value, rounding, rng);
    case FormatKind::Binary: return encode_binary(value, rounding, rng);
    case FormatKind::Quire: break;
  }
  return {};
}

std::uint32_t quantize(const Format& format, double value) {
  return encode(format, value, Rounding::NearestEven, default_overflow(format)).code;
}

double max_value(const Format& format) {
  return decode(format, encode(format, std::numeric_limits<double>::max(), Rounding::TowardZero,
                               Overflow::Saturate)
                            .code);
}

double lowest_value(const Format& format) {
  return decode(format, encode(format, std::numeric_limits<double>::lowest(),
                               Rounding::TowardZero, Overflow::Saturate)
                            .code);
}

double min_positive(const Format& format) {
  switch (format.kind()) {
    case FormatKind::Int:
    case FormatKind::UInt:
    case FormatKind::Fixed: return std::ldexp(1.0, -format.fraction_bits());
    case FormatKind::Float:
    case FormatKind::Posit: return decode(format, 1u);
    case FormatKind::Pow2:
    case FormatKind::Ternary:
    case FormatKind::Binary: return 1.0;
    case FormatKind::Quire: break;
  }
  return 0.0;
}

}  // namespace qarch::numerics
