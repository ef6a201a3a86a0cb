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

#if HWY_TARGET == HWY_SCALAR
// One lane: plain loops (the pair layout needs at least two 16-bit lanes per vector).
void Int16LaneGemm(const std::int16_t* x2, std::size_t ld, std::size_t lanes, const std::int32_t* w_pairs,
                   std::size_t n, std::size_t k_pairs, std::int32_t* out) {
  for (std::size_t c = 0; c < n; ++c) {
    for (std::size_t r = 0; r < lanes; ++r) {
      std::int32_t sum = 0;
      for (std::size_t p = 0; p < k_pairs; ++p) {
        const auto pair = static_cast<std::uint32_t>(w_pairs[c * k_pairs + p]);
        const std::int16_t* x = x2 + (p * ld + r) * 2;
        sum += x[0] * static_cast<std::int16_t>(pair & 0xffff) + x[1] * static_cast<std::int16_t>(pair >> 16);
      }
      out[c * ld + r] = sum;
    }
  }
}

void InterleavePairs(const std::int16_t* x, std::size_t ld, std::size_t k, std::int16_t* x2) {
  for (std::size_t p = 0; p < (k + 1) / 2; ++p) {
    for (std::size_t r = 0; r < ld; ++r) {
      x2[(p * ld + r) * 2] = x[2 * p * ld + r];
      x2[(p * ld + r) * 2 + 1] = 2 * p + 1 < k ? x[(2 * p + 1) * ld + r] : std::int16_t{0};
    }
  }
}
#else
// Four channels per load of the lanes: out = sum over pairs of x2 . (w pair broadcast), the
// pairwise products added into 32-bit lanes; RearrangeToOddPlusEven gives each lane its own
// pairs' sum whatever order the target multiplied them in.
void Int16LaneGemm(const std::int16_t* x2, std::size_t ld, std::size_t lanes, const std::int32_t* w_pairs,
                   std::size_t n, std::size_t k_pairs, std::int32_t* out) {
  const hn::ScalableTag<std::int32_t> d32;
  const hn::Repartition<std::int16_t, decltype(d32)> d16;
  using V = hn::Vec<decltype(d32)>;
  const std::size_t step = hn::Lanes(d32);
  const auto pairs = [&](std::size_t c, std::size_t p) { return hn::BitCast(d16, hn::Set(d32, w_pairs[c * k_pairs + p])); };
  for (std::size_t l = 0; l < lanes; l += step) {
    std::size_t c = 0;
    for (; c + 4 <= n; c += 4) {
      V s0 = hn::Zero(d32), s1 = hn::Zero(d32), s2 = hn::Zero(d32), s3 = hn::Zero(d32);
      V t0 = hn::Zero(d32), t1 = hn::Zero(d32), t2 = hn::Zero(d32), t3 = hn::Zero(d32);
      for (std::size_t p = 0; p < k_pairs; ++p) {
        const auto x = hn::LoadU(d16, x2 + (p * ld + l) * 2);
        s0 = hn::ReorderWidenMulAccumulate(d32, x, pairs(c, p), s0, t0);
        s1 = hn::ReorderWidenMulAccumulate(d32, x, pairs(c + 1, p), s1, t1);
        s2 = hn::ReorderWidenMulAccumulate(d32, x, pairs(c + 2, p), s2, t2);
        s3 = hn::ReorderWidenMulAccumulate(d32, x, pairs(c + 3, p), s3, t3);
      }
      hn::StoreU(hn::RearrangeToOddPlusEven(s0, t0), d32, out + c * ld + l);
      hn::StoreU(hn::RearrangeToOddPlusEven(s1, t1), d32, out + (c + 1) * ld + l);
      hn::StoreU(hn::RearrangeToOddPlusEven(s2, t2), d32, out + (c + 2) * ld + l);
      hn::StoreU(hn::RearrangeToOddPlusEven(s3, t3), d32, out + (c + 3) * ld + l);
    }
    for (; c < n; ++c) {
      V s = hn::Zero(d32), t = hn::Zero(d32);
      for (std::size_t p = 0; p < k_pairs; ++p) {
        s = hn::ReorderWidenMulAccumulate(d32, hn::LoadU(d16, x2 + (p * ld + l) * 2), pairs(c, p), s, t);
      }
      hn::StoreU(hn::RearrangeToOddPlusEven(s, t), d32, out + c * ld + l);
    }
  }
}

// 128-bit vectors: InterleaveLower/Upper zip whole vectors only within 128-bit blocks.
void InterleavePairs(const std::int16_t* x, std::size_t ld, std::size_t k, std::int16_t* x2) {
  const hn::Full128<std::int16_t> d;
  const std::size_t step = hn::Lanes(d);  // ld is a multiple of 16
  const auto zeros = hn::Zero(d);
  for (std::size_t p = 0; p < (k + 1) / 2; ++p) {
    const std::int16_t* a = x + 2 * p * ld;
    const std::int16_t* b = a + ld;
    const bool second = 2 * p + 1 < k;
    std::int16_t* o = x2 + p * 2 * ld;
    for (std::size_t r = 0; r < ld; r += step) {
      const auto va = hn::LoadU(d, a + r);
      const auto vb = second ? hn::LoadU(d, b + r) : zeros;
      hn::StoreU(hn::InterleaveLower(d, va, vb), d, o + 2 * r);
      hn::StoreU(hn::InterleaveUpper(d, va, vb), d, o + 2 * r + step);
    }
  }
}

#endif  // HWY_TARGET == HWY_SCALAR

template <typename T>
void CountZerosOf(const T* x, std::size_t ld, std::size_t rows, std::int64_t* counts) {
  const hn::ScalableTag<T> d;
  const std::size_t step = hn::Lanes(d);
  for (std::size_t j = 0; j < rows; ++j) {
    const T* row = x + j * ld;
    std::size_t zeros = 0, i = 0;
    for (; i + step <= ld; i += step) zeros += hn::CountTrue(d, hn::Eq(hn::LoadU(d, row + i), hn::Zero(d)));
    for (; i < ld; ++i) zeros += row[i] == 0 ? 1 : 0;
    counts[j] = static_cast<std::int64_t>(zeros);
  }
}

void CountZeros(const std::int16_t* x, std::size_t ld, std::size_t rows, std::int64_t* counts) {
  CountZerosOf(x, ld, rows, counts);
}

void CountFloatZeros(const float* x, std::size_t ld, std::size_t rows, std::int64_t* counts) {
  CountZerosOf(x, ld, rows, counts);
}

}  // namespace HWY_NAMESPACE
}  // namespace qarch::func
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace qarch::func {

HWY_EXPORT(Int16Lanes);
HWY_EXPORT(Int16Gemm);
HWY_EXPORT(Int16LaneGemm);
HWY_EXPORT(InterleavePairs);
HWY_EXPORT(CountZeros);
HWY_EXPORT(CountFloatZeros);

std::size_t int16_gemm_row_padding() {
  // At least 32 (a 512-bit vector) so that short rows need no per-target layout logic.
  const std::size_t lanes = HWY_DYNAMIC_DISPATCH(Int16Lanes)();
  return lanes > 32 ? lanes : 32;
}

void int16_gemm(const std::int16_t* a, std::size_t m, const std::int16_t* w, std::size_t n,
                std::size_t k_padded, std::int32_t* out) {
  HWY_DYNAMIC_DISPATCH(Int16Gemm)(a, m, w, n, k_padded, out);
}

void int16_lane_gemm(const std::int16_t* x2, std::size_t ld, std::size_t lanes, const std::int32_t* w_pairs,
                     std::size_t n, std::size_t k_pairs, std::int32_t* out) {
  HWY_DYNAMIC_DISPATCH(Int16LaneGemm)(x2, ld, lanes, w_pairs, n, k_pairs, out);
}

void interleave_pairs(const std::int16_t* x, std::size_t ld, std::size_t k, std::int16_t* x2) {
  HWY_DYNAMIC_DISPATCH(InterleavePairs)(x, ld, k, x2);
}

void count_zeros(const std::int16_t* x, std::size_t ld, std::size_t rows, std::int64_t* counts) {
  HWY_DYNAMIC_DISPATCH(CountZeros)(x, ld, rows, counts);
}

void count_zeros(const float* x, std::size_t ld, std::size_t rows, std::int64_t* counts) {
  HWY_DYNAMIC_DISPATCH(CountFloatZeros)(x, ld, rows, counts);
}

}  // namespace qarch::func
#endif
