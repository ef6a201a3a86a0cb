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

// B dot products of one vector of lanes: B x 4 partial sums in registers, each x load shared
// by the B broadcast operands.
template <std::size_t B, class D>
HWY_INLINE void DotsOfLanes(D d, const float* xl, std::size_t ld, const float* s, std::size_t k,
                            const float* bias, bool bias_per_lane, float* out, std::size_t ld_out) {
  using V = hn::Vec<D>;
  V a0[B], a1[B], a2[B], a3[B];
  for (std::size_t b = 0; b < B; ++b) a0[b] = a1[b] = a2[b] = a3[b] = hn::Zero(d);
  const std::size_t k4 = k - k % 4;
  std::size_t j = 0;
  for (; j < k4; j += 4) {
    const V x0 = hn::LoadU(d, xl + j * ld), x1 = hn::LoadU(d, xl + (j + 1) * ld);
    const V x2 = hn::LoadU(d, xl + (j + 2) * ld), x3 = hn::LoadU(d, xl + (j + 3) * ld);
    for (std::size_t b = 0; b < B; ++b) {
      const float* sb = s + b * k + j;
      a0[b] = hn::Add(a0[b], hn::Mul(x0, hn::Set(d, sb[0])));
      a1[b] = hn::Add(a1[b], hn::Mul(x1, hn::Set(d, sb[1])));
      a2[b] = hn::Add(a2[b], hn::Mul(x2, hn::Set(d, sb[2])));
      a3[b] = hn::Add(a3[b], hn::Mul(x3, hn::Set(d, sb[3])));
    }
  }
  for (; j < k; ++j) {
    const V x0 = hn::LoadU(d, xl + j * ld);
    for (std::size_t b = 0; b < B; ++b) a0[b] = hn::Add(a0[b], hn::Mul(x0, hn::Set(d, s[b * k + j])));
  }
  for (std::size_t b = 0; b < B; ++b) {
    const V add = bias_per_lane ? hn::LoadU(d, bias) : hn::Set(d, bias ? bias[b] : 0.0f);
    hn::StoreU(hn::Add(hn::Add(hn::Add(a0[b], a1[b]), hn::Add(a2[b], a3[b])), add), d, out + b * ld_out);
  }
}

void ReferenceDots(const float* x, std::size_t ld, std::size_t lanes, const float* s, std::size_t count,
                   std::size_t k, const float* bias, bool bias_per_lane, float* out) {
  const hn::ScalableTag<float> d;
  constexpr std::size_t kBlock = 4;
  for (std::size_t l = 0; l < lanes; l += hn::Lanes(d)) {
    const float* lane_bias = bias_per_lane ? bias + l : bias;
    std::size_t b = 0;
    for (; b + kBlock <= count; b += kBlock) {
      DotsOfLanes<kBlock>(d, x + l, ld, s + b * k, k, bias_per_lane ? lane_bias : (bias ? bias + b : nullptr),
                          bias_per_lane, out + b * ld + l, ld);
    }
    for (; b < count; ++b) {
      DotsOfLanes<1>(d, x + l, ld, s + b * k, k, bias_per_lane ? lane_bias : (bias ? bias + b : nullptr),
                     bias_per_lane, out + b * ld + l, ld);
    }
  }
}

}  // namespace HWY_NAMESPACE
}  // namespace qarch::func
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace qarch::func {

HWY_EXPORT(ReferenceDots);

void reference_lane_dots(const float* x, std::size_t ld, std::size_t lanes, const float* s, std::size_t count,
                         std::size_t k, const float* bias, bool bias_per_lane, float* out) {
  HWY_DYNAMIC_DISPATCH(ReferenceDots)(x, ld, lanes, s, count, k, bias, bias_per_lane, out);
}

}  // namespace qarch::func
#endif
