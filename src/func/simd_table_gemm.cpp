// Compiled once per instruction set by Highway's foreach_target (HWY_TARGET_INCLUDE); the
// exported entry point dispatches at run time to the best target the CPU supports.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "func/simd_table_gemm.cpp"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"

#include "func/simd_table_gemm.hpp"

#include <type_traits>

HWY_BEFORE_NAMESPACE();
namespace qarch::func {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// C channels on U vectors of lanes: each load (and widening) of the activation codes serves C
// gathers, and the C * U sums are independent (their gathers overlap).
template <std::size_t C, std::size_t U>
HWY_INLINE void TableBlock(const std::int64_t* table, const std::int32_t* x, std::size_t ld,
                           const std::int64_t* w_rows, std::size_t k, std::int64_t* out) {
  const hn::ScalableTag<std::int64_t> d;
  const hn::Rebind<std::int32_t, decltype(d)> d32;
  const std::size_t lanes = hn::Lanes(d);
  hn::Vec<decltype(d)> sum[C * U];
  for (auto& v : sum) v = hn::Zero(d);
  for (std::size_t j = 0; j < k; ++j) {
    hn::Vec<decltype(d)> index[U];
    for (std::size_t u = 0; u < U; ++u) index[u] = hn::PromoteTo(d, hn::LoadU(d32, x + j * ld + u * lanes));
    for (std::size_t c = 0; c < C; ++c) {
      const std::int64_t* row = table + w_rows[c * k + j];
      for (std::size_t u = 0; u < U; ++u) sum[c * U + u] = hn::Add(sum[c * U + u], hn::GatherIndex(d, row, index[u]));
    }
  }
  for (std::size_t c = 0; c < C; ++c) {
    for (std::size_t u = 0; u < U; ++u) hn::StoreU(sum[c * U + u], d, out + c * ld + u * lanes);
  }
}

void TableLaneGemm(const std::int64_t* table, const std::int32_t* x, std::size_t ld, std::size_t lanes,
                   const std::int64_t* w_rows, std::size_t n, std::size_t k, std::int64_t* out) {
  constexpr std::size_t kC = 4, kU = 2;
  const std::size_t step = hn::Lanes(hn::ScalableTag<std::int64_t>());
  // Lanes outermost: one block of x (k x kU vectors) stays in cache for every channel.
  const auto over_channels = [&](auto row_block, std::size_t r) {
    constexpr std::size_t kRows = decltype(row_block)::value;
    std::size_t c = 0;
    for (; c + kC <= n; c += kC) TableBlock<kC, kRows>(table, x + r, ld, w_rows + c * k, k, out + c * ld + r);
    for (; c < n; ++c) TableBlock<1, kRows>(table, x + r, ld, w_rows + c * k, k, out + c * ld + r);
  };
  std::size_t r = 0;
  for (; r + kU * step <= lanes; r += kU * step) over_channels(std::integral_constant<std::size_t, kU>{}, r);
  for (; r < lanes; r += step) over_channels(std::integral_constant<std::size_t, 1>{}, r);
}

}  // namespace HWY_NAMESPACE
}  // namespace qarch::func
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace qarch::func {

HWY_EXPORT(TableLaneGemm);

void table_lane_gemm(const std::int64_t* table, const std::int32_t* x, std::size_t ld, std::size_t lanes,
                     const std::int64_t* w_rows, std::size_t n, std::size_t k, std::int64_t* out) {
  HWY_DYNAMIC_DISPATCH(TableLaneGemm)(table, x, ld, lanes, w_rows, n, k, out);
}

}  // namespace qarch::func
#endif
