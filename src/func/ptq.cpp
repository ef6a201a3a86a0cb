#include "func/ptq.hpp"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstring>
#include <stdexcept>

#include "func/simd_quantize.hpp"

namespace qarch::func {

using numerics::Format;
using numerics::FormatKind;

ScaleRule scale_rule(const Format& format) {
  if (format.is_block_scaled()) return ScaleRule::Unit;
  switch (format.kind()) {
    case FormatKind::Int:
    case FormatKind::UInt:
    case FormatKind::Pow2:
    case FormatKind::Ternary: return ScaleRule::MaxAbs;
    case FormatKind::Binary: return ScaleRule::MeanAbs;
    case FormatKind::Fixed:
    case FormatKind::Float:
    case FormatKind::Posit:
    case FormatKind::Quire: return ScaleRule::Unit;
  }
  return ScaleRule::Unit;
}

double tensor_scale(const Format& format, double max_abs, double mean_abs) {
  double scale = 1.0;
  switch (scale_rule(format)) {
    case ScaleRule::Unit: return 1.0;
    case ScaleRule::MaxAbs: scale = max_abs / numerics::max_value(format); break;
    case ScaleRule::MeanAbs: scale = mean_abs; break;
  }
  return scale > 0 && std::isfinite(scale) ? scale : 1.0;
}

std::vector<double> weight_scales(const Format& format, const std::vector<float>& weights, std::int64_t channels,
                                  std::int64_t k, bool per_channel) {
  const auto scale_of = [&](std::int64_t first, std::int64_t count) {
    double max_abs = 0, sum = 0;
    for (std::int64_t i = first; i < first + count; ++i) {
      const double v = std::fabs(static_cast<double>(weights[static_cast<std::size_t>(i)]));
      max_abs = std::max(max_abs, v);
      sum += v;
    }
    return tensor_scale(format, max_abs, count > 0 ? sum / static_cast<double>(count) : 0);
  };
  if (!per_channel) return std::vector<double>(static_cast<std::size_t>(channels), scale_of(0, channels * k));
  std::vector<double> scales(static_cast<std::size_t>(channels));
  for (std::int64_t c = 0; c < channels; ++c) scales[static_cast<std::size_t>(c)] = scale_of(c * k, k);
  return scales;
}

std::vector<double> accumulator_biases(const Format& accumulator, const std::vector<float>& bias,
                                       const std::vector<double>& product_scales, std::int64_t& saturated) {
  Format bias_format = accumulator;
  if (accumulator.kind() == FormatKind::Int || accumulator.kind() == FormatKind::UInt) {
    bias_format = Format::make_int(32);
  } else if (accumulator.kind() == FormatKind::Quire) {
    bias_format = Format::make_posit(accumulator.posit_bits(), accumulator.posit_es());
  }
  const ValueQuantizer q(bias_format);
  std::vector<double> values(product_scales.size(), 0.0);
  if (bias.empty()) return values;
  for (std::size_t c = 0; c < values.size(); ++c) {
    values[c] = numerics::decode(bias_format, q(static_cast<double>(bias[c]) / product_scales[c], saturated));
  }
  return values;
}

ValueQuantizer::ValueQuantizer(const Format& format) : format_(format) {
  fp32_ = format.is_fp32();
  small_float_ = format.kind() == FormatKind::Float && !fp32_ && format.mantissa_bits() < 52 &&
                 format.exponent_bits() < 11;
  if (small_float_) {
    layout_.mantissa_bits = format.mantissa_bits();
    layout_.bias = format.exponent_bias();
    layout_.top_field = (1 << format.exponent_bits()) - 2;  // the largest exponent field taken here
    layout_.sign_bit = std::uint32_t{1} << (format.bits() - 1);
  }
  // A posit's encode is a long computation; within its range a search over thresholds taken
  // from encode gives the same code (and nothing saturates there).
  if (format.kind() == FormatKind::Posit) thresholds_ = RoundingThresholds::of(format);
  direct_ = format.kind() == FormatKind::Int || format.kind() == FormatKind::UInt;
  if (direct_) {
    lo_ = numerics::lowest_value(format);
    hi_ = numerics::max_value(format);
    mask_ = format.code_mask();
  }
}

namespace {

// Nearest integer, ties to even (nearbyint in the default rounding mode, as encode() rounds):
// below 2^52, adding and subtracting 2^52 rounds the fraction away; from 2^52 on every double
// is an integer. Inline, where nearbyint is a library call on baseline x86-64.
inline double round_even(double x) {
  const double a = std::fabs(x);
  return a < 0x1p52 ? std::copysign((a + 0x1p52) - 0x1p52, x) : x;
}

}  // namespace

inline double ValueQuantizer::integer(double scaled, std::int64_t& saturated) const {
  const double r = round_even(scaled);
  if (r >= lo_ && r <= hi_) return r;
  ++saturated;
  return std::isnan(r) ? 0.0 : r < lo_ ? lo_ : hi_;
}

inline std::uint32_t ValueQuantizer::direct(double scaled, std::int64_t& saturated) const {
  return static_cast<std::uint32_t>(static_cast<std::int64_t>(integer(scaled, saturated))) & mask_;
}

bool ValueQuantizer::quantize_integers(const double* in, double scale, std::size_t n, std::int16_t* values,
                                       std::int64_t& saturated) const {
  if (!direct_ || lo_ < -32768 || hi_ > 32767) return false;
  std::size_t i = quantize_to_int16(in, scale, n, lo_, hi_, values, saturated);
  for (; i < n; ++i) values[i] = static_cast<std::int16_t>(integer(in[i] / scale, saturated));
  return true;
}

void ValueQuantizer::quantize(const double* in, double scale, std::size_t n, std::uint32_t* codes,
                              std::int64_t& saturated) const {
  if (direct_) {
    std::size_t i = 0;
    if (lo_ >= -0x1p31 && hi_ < 0x1p31) i = quantize_to_integers(in, scale, n, lo_, hi_, mask_, codes, saturated);
    for (; i < n; ++i) codes[i] = direct(in[i] / scale, saturated);
    return;
  }
  std::size_t i = 0;
  if (thresholds_) {
    const RoundingThresholds& t = *thresholds_;
    for (; i < n; ++i) {
      const double x = in[i] / scale;
      codes[i] = x >= t.lowest() && x <= t.highest() ? t.code(x) : (*this)(x, saturated);  // NaN: encode
    }
    return;
  }
  if (small_float_ && format_.bits() < 32) {  // kScalarCode is no code of the format
    i = quantize_to_small_float(in, scale, n, layout_, codes);
    for (std::size_t j = 0; j < i; ++j) {
      if (codes[j] == kScalarCode) codes[j] = (*this)(in[j] / scale, saturated);
    }
  }
  for (; i < n; ++i) codes[i] = (*this)(in[i] / scale, saturated);
}

std::uint32_t ValueQuantizer::operator()(double scaled, std::int64_t& saturated) const {
  if (direct_) return direct(scaled, saturated);
  if (fp32_ && std::fabs(scaled) <= static_cast<double>(FLT_MAX)) {
    // In range, the conversion to float is encode()'s rounding (nearest even, subnormals
    // included) and cannot overflow; NaN and values beyond FLT_MAX take encode()'s rules.
    const auto f = static_cast<float>(scaled);
    std::uint32_t code = 0;
    std::memcpy(&code, &f, sizeof code);
    return code;
  }
  if (small_float_) {
    // Normal values below the format's top exponent (IEEE-style layout: sign, exponent field
    // = exponent + bias, mantissa): the double's significand rounded to nearest even on its
    // bits. +0 is code 0. Everything else (subnormals, the top binade, saturation, -0, NaN)
    // takes encode(). tests/unit/func/ptq_test.cpp compares both on every float format.
    if (scaled == 0.0 && !std::signbit(scaled)) return 0;
    std::uint64_t bits = 0;
    std::memcpy(&bits, &scaled, sizeof bits);
    int field = static_cast<int>((bits >> 52) & 0x7ff) - 1023 + layout_.bias;
    const int drop = 52 - layout_.mantissa_bits;
    const std::uint64_t mantissa = bits & ((std::uint64_t{1} << 52) - 1);
    std::uint64_t kept = mantissa >> drop;
    const std::uint64_t rest = mantissa & ((std::uint64_t{1} << drop) - 1);
    const std::uint64_t half = std::uint64_t{1} << (drop - 1);
    if (rest > half || (rest == half && (kept & 1) != 0)) ++kept;
    if (kept >> layout_.mantissa_bits != 0) {  // rounded up to the next binade
      kept = 0;
      ++field;
    }
    if (field >= 1 && field <= layout_.top_field) {
      const std::uint32_t sign = (bits >> 63) != 0 ? layout_.sign_bit : 0;
      return sign | static_cast<std::uint32_t>(field) << layout_.mantissa_bits | static_cast<std::uint32_t>(kept);
    }
  }
  const numerics::Encoded e = numerics::encode(format_, scaled, numerics::Rounding::NearestEven,
                                               numerics::Overflow::Saturate);
  if (e.overflow) ++saturated;
  return e.code;
}

ZeroTest::ZeroTest(const Format& format) : mask_(format.code_mask()) {
  if (format.bits() <= 16) {
    table_.resize(static_cast<std::size_t>(format.code_count()));
    std::vector<std::uint32_t> zeros;
    for (std::uint64_t c = 0; c < format.code_count(); ++c) {
      table_[c] = numerics::decode(format, static_cast<std::uint32_t>(c)) == 0.0 ? 1 : 0;
      if (table_[c] != 0) zeros.push_back(static_cast<std::uint32_t>(c));
    }
    const std::uint32_t sign = std::uint32_t{1} << (format.bits() - 1);
    if (zeros.empty()) {
      pattern_value_ = 1;  // never: (code & 0) is 0
    } else if (zeros.size() == 1) {
      pattern_mask_ = mask_;
      pattern_value_ = zeros[0];
    } else if (zeros.size() == 2 && zeros[0] == 0 && zeros[1] == sign) {
      pattern_mask_ = mask_ & ~sign;
    } else {
      throw std::logic_error("ZeroTest: " + format.to_string() + " has zero codes no mask describes");
    }
    return;
  }
  // Wider formats: floats have a signed zero (sign bit set, all else clear); integers, fixed
  // point and posits have one zero code, 0.
  magnitude_mask_ = format.kind() == FormatKind::Float ? mask_ >> 1 : mask_;
  pattern_mask_ = magnitude_mask_;
}

}  // namespace qarch::func
