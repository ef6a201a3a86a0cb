#include "func/vector_format.hpp"

#include <cmath>
#include <limits>

#include "numerics/codec.hpp"

namespace qarch::func {

using numerics::FormatKind;

VectorFormat::VectorFormat(const numerics::Format& format) : format_(format) {
  max_ = numerics::max_value(format);
  lowest_ = numerics::lowest_value(format);
  if (format.kind() == FormatKind::Float) {
    infinity_ = format.has_infinity();
    mantissa_bits_ = format.mantissa_bits();
    min_exponent_ = 1 - format.exponent_bias();
    path_ = format.exponent_bits() == 8 && mantissa_bits_ == 23 ? Path::Fp32 : Path::Float;
  } else if (format.is_integer_like()) {
    path_ = Path::Grid;
    grid_ = std::ldexp(1.0, -format.fraction_bits());
  } else {
    throw numerics::FormatError("the vector unit computes in a float, integer or fixed-point format, not " +
                                format.to_string());
  }
}

double VectorFormat::operator()(double x) const {
  if (std::isnan(x)) return x;
  switch (path_) {
    case Path::Fp32: return static_cast<double>(static_cast<float>(x));  // IEEE binary32, nearest even
    case Path::Float: {
      if (std::isinf(x) || x == 0) return infinity_ ? x : (x > 0 ? max_ : x < 0 ? lowest_ : x);
      int e = 0;
      std::frexp(x, &e);  // |x| in [2^(e-1), 2^e)
      const int quantum = std::max(e - 1, min_exponent_) - mantissa_bits_;
      const double r = std::ldexp(std::nearbyint(std::ldexp(x, -quantum)), quantum);  // exact scaling
      if (r > max_) return infinity_ ? std::numeric_limits<double>::infinity() : max_;
      if (r < lowest_) return infinity_ ? -std::numeric_limits<double>::infinity() : lowest_;
      return r;
    }
    case Path::Grid: break;
  }
  const double r = std::nearbyint(x / grid_) * grid_;
  return r > max_ ? max_ : r < lowest_ ? lowest_ : r;
}

}  // namespace qarch::func
