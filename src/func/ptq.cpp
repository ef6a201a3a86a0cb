#include "func/ptq.hpp"

#include <cmath>

namespace qarch::func {

using numerics::Format;
using numerics::FormatKind;

ScaleRule scale_rule(const Format& format) {
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

ValueQuantizer::ValueQuantizer(const Format& format) : format_(format) {
  direct_ = format.kind() == FormatKind::Int || format.kind() == FormatKind::UInt;
  if (direct_) {
    lo_ = numerics::lowest_value(format);
    hi_ = numerics::max_value(format);
    mask_ = format.code_mask();
  }
}

std::uint32_t ValueQuantizer::operator()(double scaled, std::int64_t& saturated) const {
  if (direct_) {
    // nearbyint rounds to nearest even in the default rounding mode, as encode() does.
    double r = std::nearbyint(scaled);
    if (!(r >= lo_ && r <= hi_)) {
      ++saturated;
      if (std::isnan(r)) return 0;
      r = r < lo_ ? lo_ : hi_;
    }
    return static_cast<std::uint32_t>(static_cast<std::int64_t>(r)) & mask_;
  }
  const numerics::Encoded e = numerics::encode(format_, scaled, numerics::Rounding::NearestEven,
                                               numerics::Overflow::Saturate);
  if (e.overflow) ++saturated;
  return e.code;
}

ZeroTest::ZeroTest(const Format& format) : mask_(format.code_mask()) {
  if (format.bits() <= 16) {
    table_.resize(static_cast<std::size_t>(format.code_count()));
    for (std::uint64_t c = 0; c < format.code_count(); ++c) {
      table_[c] = numerics::decode(format, static_cast<std::uint32_t>(c)) == 0.0 ? 1 : 0;
    }
    return;
  }
  // Wider formats: floats have a signed zero (sign bit set, all else clear); integers, fixed
  // point and posits have one zero code, 0.
  magnitude_mask_ = format.kind() == FormatKind::Float ? mask_ >> 1 : mask_;
}

}  // namespace qarch::func
