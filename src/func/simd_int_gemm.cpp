// Compiled once per instruction set by Highway's foreach_target (HWY_TARGET_INCLUDE); the
// exported entry points dispatch at run time to the best target the CPU supports.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "func/simd_int_gemm.cpp"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"

#include "func/simd_int_gemm.hpp"

HWY_BEFORE_NAMESPACE();
namespace qarch::func {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

std::size_t Int16Lanes() { return hn::Lanes(hn::ScalableTag<std::int16_t>()); }

// Four output channels of one row at a time: one load of the row's codes feeds four
// multiply-adds. Integer sums are exact, so lane order and the final reduction are free.
void Int16Gemm(const std::int16_t* a, std::size_t m, const std::int16_t* w, std::size_t n,
               std::size_t kp, std::int32_t* out) {
  const hn::ScalableTag<std::int16_t> d16;
  const hn::Repartition<std::int32_t, decltype(d16)> d32;
  const std::size_t step = hn::Lanes(d16);
  const auto total = [&](decltype(hn::Zero(d32)) s0, decltype(hn::Zero(d32)) s1) {
    return hn::GetLane(hn::SumOfLanes(d32, hn::Add(s0, s1)));
  };
  for (std::size_t r = 0; r < m; ++r) {
    const std::int16_t* row = a + r * kp;
    std::int32_t* o = out + r * n;
    std::size_t c = 0;
    for (; c + 4 <= n; c += 4) {
      const std::int16_t* w0 = w + c * kp;
      const std::int16_t* w1 = w0 + kp;
      const std::int16_t* w2 = w1 + kp;
      const std::int16_t* w3 = w2 + kp;
      auto s0 = hn::Zero(d32), s1 = hn::Zero(d32), s2 = hn::Zero(d32), s3 = hn::Zero(d32);
      auto t0 = hn::Zero(d32), t1 = hn::Zero(d32), t2 = hn::Zero(d32), t3 = hn::Zero(d32);
      for (std::size_t j = 0; j < kp; j += step) {
        const auto x = hn::LoadU(d16, row + j);
        s0 = hn::ReorderWidenMulAccumulate(d32, x, hn::LoadU(d16, w0 + j), s0, t0);
        s1 = hn::ReorderWidenMulAccumulate(d32, x, hn::LoadU(d16, w1 + j), s1, t1);
        s2 = hn::ReorderWidenMulAccumulate(d32, x, hn::LoadU(d16, w2 + j), s2, t2);
        s3 = hn::ReorderWidenMulAccumulate(d32, x, hn::LoadU(d16, w3 + j), s3, t3);
      }
      o[c] = total(s0, t0);
      o[c + 1] = total(s1, t1);
      o[c + 2] = total(s2, t2);
      o[c + 3] = total(s3, t3);
    }
    for (; c < n; ++c) {
      const std::int16_t* wc = w + c * kp;
      auto s = hn::Zero(d32), t = hn::Zero(d32);
      for (std::size_t j = 0; j < kp; j += step) {
        s = hn::ReorderWidenMulAccumulate(d32, hn::LoadU(d16, row + j), hn::LoadU(d16, wc + j), s, t);
      }
      o[c] = total(s, t);
    }
  }
}

}  // namespace HWY_NAMESPACE
}  // namespace qarch::func
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace qarch::func {

HWY_EXPORT(Int16Lanes);
HWY_EXPORT(Int16Gemm);

std::size_t int16_gemm_row_padding() {
  // At least 32 (a 512-bit vector) so that short rows need no per-target layout logic.
  const std::size_t lanes = HWY_DYNAMIC_DISPATCH(Int16Lanes)();
  return lanes > 32 ? lanes : 32;
}

void int16_gemm(const std::int16_t* a, std::size_t m, const std::int16_t* w, std::size_t n,
                std::size_t k_padded, std::int32_t* out) {
  HWY_DYNAMIC_DISPATCH(Int16Gemm)(a, m, w, n, k_padded, out);
}

}  // namespace qarch::func
#endif
