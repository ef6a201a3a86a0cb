// Compiled once per instruction set by Highway's foreach_target (HWY_TARGET_INCLUDE); the
// exported entry point dispatches at run time to the best target the CPU supports.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "func/simd_quantize.cpp"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"

#include "func/simd_quantize.hpp"

HWY_BEFORE_NAMESPACE();
namespace qarch::func {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// x / scale rounded to nearest even (ties to even) and clamped to [lo, hi], NaN to 0, for
// whole vectors from `in`; store(i, clamped) writes vector i. Returns the values done.
template <class Store>
HWY_INLINE std::size_t Quantize(const double* in, double scale, std::size_t n, double lo, double hi,
                                std::int64_t& saturated, Store store) {
  const hn::ScalableTag<double> d;
  const std::size_t step = hn::Lanes(d);
  const auto vscale = hn::Set(d, scale), vlo = hn::Set(d, lo), vhi = hn::Set(d, hi);
  std::size_t i = 0;
  for (; i + step <= n; i += step) {
    const auto r = hn::Round(hn::Div(hn::LoadU(d, in + i), vscale));  // nearest, ties to even
    const auto inside = hn::And(hn::Ge(r, vlo), hn::Le(r, vhi));      // false for NaN
    saturated += static_cast<std::int64_t>(hn::CountTrue(d, hn::Not(inside)));
    store(i, hn::IfThenZeroElse(hn::IsNaN(r), hn::Min(hn::Max(r, vlo), vhi)));
  }
  return i;
}

std::size_t QuantizeToIntegers(const double* in, double scale, std::size_t n, double lo, double hi,
                               std::uint32_t mask, std::uint32_t* codes, std::int64_t& saturated) {
  const hn::ScalableTag<double> d;
  const hn::Rebind<std::int32_t, decltype(d)> di;
  const hn::Rebind<std::uint32_t, decltype(d)> du;
  const auto vmask = hn::Set(du, mask);
  return Quantize(in, scale, n, lo, hi, saturated, [&](std::size_t i, auto clamped) {
    hn::StoreU(hn::And(hn::BitCast(du, hn::DemoteTo(di, clamped)), vmask), du, codes + i);
  });
}

std::size_t QuantizeToInt16(const double* in, double scale, std::size_t n, double lo, double hi,
                            std::int16_t* values, std::int64_t& saturated) {
  const hn::ScalableTag<double> d;
  const hn::Rebind<std::int32_t, decltype(d)> di;
  const hn::Rebind<std::int16_t, decltype(d)> d16;
  return Quantize(in, scale, n, lo, hi, saturated, [&](std::size_t i, auto clamped) {
    hn::StoreU(hn::DemoteTo(d16, hn::DemoteTo(di, clamped)), d16, values + i);
  });
}

std::size_t QuantizeToSmallFloat(const double* in, double scale, std::size_t n, const SmallFloatLayout& f,
                                 std::uint32_t* codes) {
  const hn::ScalableTag<double> d;
  const hn::RebindToUnsigned<decltype(d)> du;
  const hn::Rebind<std::uint32_t, decltype(du)> d32;
  const std::size_t step = hn::Lanes(d);
  const int drop = 52 - f.mantissa_bits;
  const auto mb = static_cast<unsigned>(f.mantissa_bits);
  // Exponent and mantissa rounded together: a carry out of the kept mantissa moves to the next
  // binade, as ValueQuantizer's scalar rounding does. r = (double exponent << mb) | kept.
  const auto vhalf = hn::Set(du, (std::uint64_t{1} << (drop - 1)) - 1);
  const auto one = hn::Set(du, 1);
  const auto magnitude = hn::Set(du, ~(std::uint64_t{1} << 63));
  const std::uint64_t rebias = static_cast<std::uint64_t>(1023 - f.bias) << mb;  // field = exponent - 1023 + bias
  const auto voffset = hn::Set(du, rebias);
  const auto vlow = hn::Set(du, rebias + (std::uint64_t{1} << mb));  // field 1, mantissa 0
  // r - low in [0, span] (unsigned: below low wraps past it) is a field in [1, top_field].
  const auto vspan = hn::Set(du, (static_cast<std::uint64_t>(f.top_field) << mb) - 1);
  const auto vsign = hn::Set(du, f.sign_bit);
  const auto vscalar = hn::Set(du, kScalarCode);
  const auto vscale = hn::Set(d, scale);
  std::size_t i = 0;
  for (; i + step <= n; i += step) {
    const auto bits = hn::BitCast(du, hn::Div(hn::LoadU(d, in + i), vscale));
    const auto em = hn::And(bits, magnitude);
    const auto even = hn::And(hn::ShiftRightSame(em, drop), one);
    const auto r = hn::ShiftRightSame(hn::Add(hn::Add(em, vhalf), even), drop);
    const auto normal = hn::Not(hn::Gt(hn::Sub(r, vlow), vspan));
    auto code = hn::Or(hn::Sub(r, voffset), hn::IfThenElseZero(hn::Ne(em, bits), vsign));
    code = hn::IfThenElse(normal, code, vscalar);
    code = hn::IfThenZeroElse(hn::Eq(bits, hn::Zero(du)), code);  // +0
    hn::StoreU(hn::TruncateTo(d32, code), d32, codes + i);
  }
  return i;
}

}  // namespace HWY_NAMESPACE
}  // namespace qarch::func
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace qarch::func {

HWY_EXPORT(QuantizeToIntegers);
HWY_EXPORT(QuantizeToInt16);
HWY_EXPORT(QuantizeToSmallFloat);

std::size_t quantize_to_integers(const double* in, double scale, std::size_t n, double lo, double hi,
                                 std::uint32_t mask, std::uint32_t* codes, std::int64_t& saturated) {
  return HWY_DYNAMIC_DISPATCH(QuantizeToIntegers)(in, scale, n, lo, hi, mask, codes, saturated);
}

std::size_t quantize_to_int16(const double* in, double scale, std::size_t n, double lo, double hi,
                              std::int16_t* values, std::int64_t& saturated) {
  return HWY_DYNAMIC_DISPATCH(QuantizeToInt16)(in, scale, n, lo, hi, values, saturated);
}

std::size_t quantize_to_small_float(const double* in, double scale, std::size_t n, const SmallFloatLayout& f,
                                    std::uint32_t* codes) {
  return HWY_DYNAMIC_DISPATCH(QuantizeToSmallFloat)(in, scale, n, f, codes);
}

}  // namespace qarch::func
#endif
