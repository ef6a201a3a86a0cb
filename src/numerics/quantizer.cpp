#include "numerics/quantizer.hpp"

#include <cmath>

#include "numerics/codec.hpp"

namespace qarch::numerics {

Quantizer::Quantizer(const Format& format, QuantParams params)
    : format_(format), params_(std::move(params)), rng_(params_.seed) {
  check_overflow_mode(format_, params_.overflow);
  if (params_.scales.empty()) throw FormatError("a quantizer needs at least one scale");
  for (double s : params_.scales) {
    if (!std::isfinite(s) || s == 0.0) {
      throw FormatError("quantization scales must be finite and non-zero, got " + std::to_string(s));
    }
  }
  if (!params_.zero_points.empty() && params_.zero_points.size() != params_.scales.size()) {
    throw FormatError("give one zero point per scale (" + std::to_string(params_.scales.size()) +
                      "), got " + std::to_string(params_.zero_points.size()));
  }
}

std::uint32_t Quantizer::quantize(double value, std::size_t channel) {
  double x = value / params_.scales.at(channel);
  if (!params_.zero_points.empty()) x += params_.zero_points[channel];
  const Encoded e = encode(format_, x, params_.rounding, params_.overflow, &rng_);
  if (e.overflow) ++overflow_count_;
  return e.code;
}

void Quantizer::quantize(const double* values, std::uint32_t* codes, std::size_t n,
                         std::size_t channel) {
  for (std::size_t i = 0; i < n; ++i) codes[i] = quantize(values[i], channel);
}

double Quantizer::dequantize(std::uint32_t code, std::size_t channel) const {
  double v = decode(format_, code);
  if (!params_.zero_points.empty()) v -= params_.zero_points[channel];
  return params_.scales.at(channel) * v;
}

}  // namespace qarch::numerics
