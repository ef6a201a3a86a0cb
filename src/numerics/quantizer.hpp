#pragma once
// Quantization of real tensors into codes of a format with a scale (and zero point) per tensor
// or per channel: value = scale[c] x (decode(code) - zero_point[c]). Scales live here, not in
// the Format. Counts overflows (saturated, wrapped or infinite results, NaN into formats
// without NaN) across calls.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "numerics/format.hpp"
#include "numerics/rounding.hpp"

namespace qarch::numerics {

struct QuantParams {
  std::vector<double> scales{1.0};  // one (per tensor) or one per channel; finite, non-zero
  std::vector<double> zero_points;  // empty (all 0), or as many as scales
  Rounding rounding = Rounding::NearestEven;
  Overflow overflow = Overflow::Saturate;  // must apply to the format (see codec.hpp)
  std::uint64_t seed = 0;                  // for Rounding::Stochastic
};

class Quantizer {
 public:
  // Throws FormatError for a quire, an overflow mode the format lacks, or bad scales.
  Quantizer(const Format& format, QuantParams params);

  // code = encode(value / scale[channel] + zero_point[channel]).
  std::uint32_t quantize(double value, std::size_t channel = 0);
  // scale[channel] x (decode(code) - zero_point[channel]).
  double dequantize(std::uint32_t code, std::size_t channel = 0) const;
  // The value after a quantize/dequantize round trip.
  double round_trip(double value, std::size_t channel = 0) {
    return dequantize(quantize(value, channel), channel);
  }
  // Quantizes n values of one channel.
  void quantize(const double* values, std::uint32_t* codes, std::size_t n, std::size_t channel = 0);

  const Format& format() const { return format_; }
  const QuantParams& params() const { return params_; }
  std::size_t channels() const { return params_.scales.size(); }
  std::uint64_t overflow_count() const { return overflow_count_; }
  void reset_counts() { overflow_count_ = 0; }

 private:
  Format format_;
  QuantParams params_;
  Rng rng_;
  std::uint64_t overflow_count_ = 0;
};

}  // namespace qarch::numerics
