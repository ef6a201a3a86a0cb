#pragma once
// The number format of the vector / special-function unit in functional mode
// (pe_array.special_function_format, docs/functional.md, "Vector unit"): every value it reads
// and every result of its operations is rounded to the nearest value of the format (ties to
// even), overflowing to infinity in IEEE-style floats and saturating in the others.

#include "numerics/format.hpp"

namespace qarch::func {

class VectorFormat {
 public:
  // Float, integer and fixed-point formats (what arch_loader accepts for the unit).
  explicit VectorFormat(const numerics::Format& format);

  double operator()(double x) const;
  const numerics::Format& format() const { return format_; }

 private:
  enum class Path { Fp32, Float, Grid };
  numerics::Format format_;
  Path path_ = Path::Fp32;
  int mantissa_bits_ = 0;
  int min_exponent_ = 0;  // of the smallest normal, as 2^min_exponent_
  double max_ = 0, lowest_ = 0;
  bool infinity_ = false;
  double grid_ = 1;  // fixed point: 2^-F
};

}  // namespace qarch::func
