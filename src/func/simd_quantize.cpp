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

std::size_t QuantizeToIntegers(const double* in, double scale, std::size_t n, double lo, double hi,
                               std::uint32_t mask, std::uint32_t* codes, std::int64_t& saturated) {
  const hn::ScalableTag<double> d;
  const hn::Rebind<std::int32_t, decltype(d)> di;
  const hn::Rebind<std::uint32_t, decltype(d)> du;
  const std::size_t step = hn::Lanes(d);
  const auto vscale = hn::Set(d, scale), vlo = hn::Set(d, lo), vhi = hn::Set(d, hi);
  const auto vmask = hn::Set(du, mask);
  std::size_t i = 0;
  for (; i + step <= n; i += step) {
    const auto r = hn::Round(hn::Div(hn::LoadU(d, in + i), vscale));  // nearest, ties to even
    const auto inside = hn::And(hn::Ge(r, vlo), hn::Le(r, vhi));      // false for NaN
    saturated += static_cast<std::int64_t>(hn::CountTrue(d, hn::Not(inside)));
    const auto clamped = hn::IfThenZeroElse(hn::IsNaN(r), hn::Min(hn::Max(r, vlo), vhi));
    hn::StoreU(hn::And(hn::BitCast(du, hn::DemoteTo(di, clamped)), vmask), du, codes + i);
  }
  return i;
}

}  // namespace HWY_NAMESPACE
}  // namespace qarch::func
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace qarch::func {

HWY_EXPORT(QuantizeToIntegers);

std::size_t quantize_to_integers(const double* in, double scale, std::size_t n, double lo, double hi,
                                 std::uint32_t mask, std::uint32_t* codes, std::int64_t& saturated) {
  return HWY_DYNAMIC_DISPATCH(QuantizeToIntegers)(in, scale, n, lo, hi, mask, codes, saturated);
}

}  // namespace qarch::func
#endif
