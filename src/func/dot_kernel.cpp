#include "func/dot_kernel.hpp"

#include <cmath>
#include <string>

#include "numerics/codec.hpp"

namespace qarch::func {

using numerics::Format;
using numerics::FormatKind;

bool float_values(const Format& f, std::vector<float>& table) {
  if (f.bits() > 16) return false;
  table.resize(static_cast<std::size_t>(f.code_count()));
  for (std::uint64_t c = 0; c < f.code_count(); ++c) {
    const double v = numerics::decode(f, static_cast<std::uint32_t>(c));
    const auto fv = static_cast<float>(v);
    if (!std::isnan(v) && static_cast<double>(fv) != v) return false;
    table[c] = fv;
  }
  return true;
}

DotKernel::DotKernel(const numerics::MultiplierStyle& style, const Format& weight,
                     const Format& activation, const Format& accumulator)
    : mac_(style, weight, activation, accumulator), acc_(mac_.make_accumulator()) {
  fp32_accumulator_ = accumulator.is_fp32();
  if (style.kind() != numerics::MultiplierKind::Exact || !accumulator.is_fp32() ||
      std::string(mac_.fast_path_name()) != "generic") {
    return;
  }
  weight_fp32_bits_ = weight.is_fp32();
  activation_fp32_bits_ = activation.is_fp32();
  const bool w_ok = weight_fp32_bits_ || float_values(weight, weight_floats_);
  const bool a_ok = activation_fp32_bits_ || float_values(activation, activation_floats_);
  fma_ = w_ok && a_ok;
}

const char* DotKernel::path_name() const { return fma_ ? "fma_fp32" : mac_.fast_path_name(); }

double DotKernel::read() const {
  if (acc_.format().kind() == FormatKind::Quire) {
    return numerics::decode(acc_.result_format(), acc_.code());
  }
  return acc_.value();
}

double DotKernel::chain(double start, const std::uint32_t* w, const std::uint32_t* a,
                        std::int64_t n, std::uint64_t& overflows) {
  std::int64_t i = 0;
  if (fma_ && std::isfinite(start)) {
    const std::uint32_t wm = mac_.weight_format().code_mask();
    const std::uint32_t am = mac_.activation_format().code_mask();
    auto sum = static_cast<float>(start);
    for (; i < n; ++i) {
      const std::uint32_t wc = w[i] & wm;
      const std::uint32_t ac = a[i] & am;
      const float x = weight_fp32_bits_ ? bits_to_float(wc) : weight_floats_[wc];
      const float y = activation_fp32_bits_ ? bits_to_float(ac) : activation_floats_[ac];
      const float s = std::fmaf(x, y, sum);
      if (!std::isfinite(s)) break;  // overflow or NaN: Mac's rules from here on
      sum = s;
    }
    if (i == n) return static_cast<double>(sum);
    start = static_cast<double>(sum);
  }
  acc_.reset();
  if (start != 0.0) acc_.add(start);
  if (i < n) mac_.dot(acc_, w + i, a + i, static_cast<std::size_t>(n - i));
  overflows += acc_.overflow_count();
  return read();
}

double DotKernel::add(double a, double b, std::uint64_t& overflows) {
  if (fp32_accumulator_ && std::isfinite(a) && std::isfinite(b)) {
    // Two floats added in double and rounded to float: correctly rounded, since double has at
    // least 2 x 24 + 2 bits (double rounding is innocuous). Overflow gives inf, as the
    // accumulator's default mode.
    const auto s = static_cast<float>(a + b);
    if (std::isfinite(s)) return static_cast<double>(s);
    if (acc_.overflow_mode() == numerics::Overflow::Infinity) {
      ++overflows;
      return static_cast<double>(s);
    }
  }
  acc_.reset();
  if (a != 0.0) acc_.add(a);
  acc_.add(b);
  overflows += acc_.overflow_count();
  return read();
}

}  // namespace qarch::func
