// Compiled once per instruction set by Highway's foreach_target (HWY_TARGET_INCLUDE); the
// exported entry point dispatches at run time to the best target the CPU supports.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "func/simd_reference_dots.cpp"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"

#include "func/simd_reference_dots.hpp"

HWY_BEFORE_NAMESPACE();
namespace qarch::func {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

void ReferenceDots(const float* x, std::size_t ld, std::size_t lanes, const float* s, std::size_t k,
                   const float* bias, float* out) {
  const hn::ScalableTag<float> d;
  const std::size_t k4 = k - k % 4;
  for (std::size_t l = 0; l < lanes; l += hn::Lanes(d)) {
    const float* xl = x + l;
    const auto product = [&](std::size_t j) { return hn::Mul(hn::LoadU(d, xl + j * ld), hn::Set(d, s[j])); };
    auto s0 = hn::Zero(d), s1 = hn::Zero(d), s2 = hn::Zero(d), s3 = hn::Zero(d);
    std::size_t j = 0;
    for (; j < k4; j += 4) {
      s0 = hn::Add(s0, product(j));
      s1 = hn::Add(s1, product(j + 1));
      s2 = hn::Add(s2, product(j + 2));
      s3 = hn::Add(s3, product(j + 3));
    }
    for (; j < k; ++j) s0 = hn::Add(s0, product(j));
    hn::StoreU(hn::Add(hn::Add(hn::Add(s0, s1), hn::Add(s2, s3)), hn::LoadU(d, bias + l)), d, out + l);
  }
}

}  // namespace HWY_NAMESPACE
}  // namespace qarch::func
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace qarch::func {

HWY_EXPORT(ReferenceDots);

void reference_lane_dots(const float* x, std::size_t ld, std::size_t lanes, const float* s,
                         std::size_t k, const float* bias, float* out) {
  HWY_DYNAMIC_DISPATCH(ReferenceDots)(x, ld, lanes, s, k, bias, out);
}

}  // namespace qarch::func
#endif
