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

}  // namespace HWY_NAMESPACE
}  // namespace qarch::func
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace qarch::func {

HWY_EXPORT(QuantizeToIntegers);
HWY_EXPORT(QuantizeToInt16);

std::size_t quantize_to_integers(const double* in, double scale, std::size_t n, double lo, double hi,
                                 std::uint32_t mask, std::uint32_t* codes, std::int64_t& saturated) {
  return HWY_DYNAMIC_DISPATCH(QuantizeToIntegers)(in, scale, n, lo, hi, mask, codes, saturated);
}

std::size_t quantize_to_int16(const double* in, double scale, std::size_t n, double lo, double hi,
                              std::int16_t* values, std::int64_t& saturated) {
  return HWY_DYNAMIC_DISPATCH(QuantizeToInt16)(in, scale, n, lo, hi, values, saturated);
}

}  // namespace qarch::func
#endif
