#pragma once
// Post-training quantization of functional mode (docs/numerics.md, "Post-training
// quantization"): which scale a format gets, and quantizing values into codes.
//
// Scales (value = scale x decoded code), symmetric, per tensor (weights optionally per output
// channel):
// - intN, uintN, pow2_B, ternary: max|x| / max_value(format) (int8: max|x| / 127); weights over
//   the tensor (or channel), activations (the input of a layer) over the calibration images;
// - binary: mean|x| (XNOR-Net's L2-optimal scale; the code is only the sign);
// - fixedN_F, floats and posits: 1 (they represent values directly).
// - block-scaled formats (mxfp4, nvfp4, int4_g32, ...): 1, their blocks carry their scales.
// A configured scale (workload `weight_scale` / `activation_scale`) replaces the rule. A tensor
// that is all zero gets scale 1.

#include <cstdint>
#include <memory>
#include <vector>

#include "func/rounding_thresholds.hpp"
#include "func/simd_quantize.hpp"
#include "numerics/codec.hpp"
#include "numerics/format.hpp"

namespace qarch::func {

enum class ScaleRule { Unit, MaxAbs, MeanAbs };

ScaleRule scale_rule(const numerics::Format& format);

// The scale for a tensor with these statistics under `format`'s rule.
double tensor_scale(const numerics::Format& format, double max_abs, double mean_abs);

// Per output channel, the scale of a weight tensor (channels x k, row-major) under `format`'s
// rule: one for the tensor, or one per channel.
std::vector<double> weight_scales(const numerics::Format& format, const std::vector<float>& weights,
                                  std::int64_t channels, std::int64_t k, bool per_channel);

// Biases as the accumulator holds them, per channel: bias / product_scales[c] rounded into
// `accumulator` (int32 for intN and uintN accumulators, the posit of a quire), saturating and
// counting saturations. Zeros when `bias` is empty.
std::vector<double> accumulator_biases(const numerics::Format& accumulator, const std::vector<float>& bias,
                                       const std::vector<double>& product_scales, std::int64_t& saturated);

// Rounds value / scale into a format (nearest even, saturating: the conversion of a PE's input
// stage), counting saturations. int and uint formats take a direct path that gives the same
// codes as numerics::encode (tests/unit/func/ptq_test.cpp compares them).
class ValueQuantizer {
 public:
  explicit ValueQuantizer(const numerics::Format& format);

  // The code of `scaled` (= value / scale), nearest even, saturating; `saturated` is
  // incremented when the value did not fit (or was NaN).
  std::uint32_t operator()(double scaled, std::int64_t& saturated) const;

  // codes[i] = (*this)(in[i] / scale, saturated) for i < n: a layer's input stage in one loop.
  void quantize(const double* in, double scale, std::size_t n, std::uint32_t* codes, std::int64_t& saturated) const;
  // int and uint formats whose values fit int16: values[i] = the value of the code
  // (*this)(in[i] / scale) gives, saturations counted alike; false (nothing done) for others.
  bool quantize_integers(const double* in, double scale, std::size_t n, std::int16_t* values,
                         std::int64_t& saturated) const;

  const numerics::Format& format() const { return format_; }

 private:
  double integer(double scaled, std::int64_t& saturated) const;  // int / uint: the value
  std::uint32_t direct(double scaled, std::int64_t& saturated) const;

  numerics::Format format_;
  bool direct_ = false;  // int / uint
  bool fp32_ = false;    // IEEE binary32: a float conversion
  bool small_float_ = false;  // other floats: rounded on the bits (normal range)
  SmallFloatLayout layout_;
  std::shared_ptr<const RoundingThresholds> thresholds_;  // posits of up to 8 bits, in range
  double lo_ = 0, hi_ = 0;
  std::uint32_t mask_ = 0;
};

// True when `code` decodes to zero (either sign). Tables for formats of up to 16 bits.
class ZeroTest {
 public:
  explicit ZeroTest(const numerics::Format& format);
  bool operator()(std::uint32_t code) const {
    code &= mask_;
    if (!table_.empty()) return table_[code] != 0;
    return (code & magnitude_mask_) == 0;
  }
  // Zero exactly when (code & pattern_mask()) == pattern_value(): one zero code, a signed
  // zero, or none (mask 0, value 1); a compare that vectorizes. Every format has one (the
  // constructor throws std::logic_error otherwise).
  std::uint32_t pattern_mask() const { return pattern_mask_; }
  std::uint32_t pattern_value() const { return pattern_value_; }

 private:
  std::uint32_t mask_ = 0;
  std::uint32_t magnitude_mask_ = 0;  // > 16 bits: floats ignore the sign bit
  std::vector<std::uint8_t> table_;
  std::uint32_t pattern_mask_ = 0, pattern_value_ = 0;
};

}  // namespace qarch::func
