// Compiled once per instruction set by Highway's foreach_target (HWY_TARGET_INCLUDE); the
// exported entry points dispatch at run time to the best target the CPU supports.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "func/simd_lane_chains.cpp"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"

#include "func/simd_lane_chains.hpp"

HWY_BEFORE_NAMESPACE();
namespace qarch::func {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

std::size_t Int32Lanes() { return hn::Lanes(hn::ScalableTag<std::int32_t>()); }
bool NativeFma() { return HWY_NATIVE_FMA != 0; }

// One block of lanes through the order. `step(v, x, s)` adds one product to the sums v, `add`
// is the accumulator's adder; both act lane by lane, so every lane sees exactly the scalar
// sequence of operations of its chain (DotKernel::chain, QuantizedLayer::accumulate).
template <class D, typename T, class Step, class Add>
hn::Vec<D> BlockChains(D d, const LaneOrder& o, const T* x, std::size_t ld, const T* s,
                       hn::Vec<D> start, T* scratch, const Step& step, const Add& add) {
  const auto chain = [&](hn::Vec<D> v, std::int64_t begin, std::int64_t end) {
    for (std::int64_t j = begin; j < end; ++j) {
      v = step(v, hn::LoadU(d, x + static_cast<std::size_t>(j) * ld), hn::Set(d, s[j]));
    }
    return v;
  };
  if (o.sequential) return chain(start, 0, o.segment_end.empty() ? 0 : o.segment_end.back());
  const std::size_t lanes = hn::Lanes(d);
  auto running = start;
  for (std::size_t f = 0; f + 1 < o.fold_first.size(); ++f) {
    const std::size_t first = o.fold_first[f];
    const std::size_t count = o.fold_first[f + 1] - first;
    auto part = hn::Zero(d);
    if (!o.fold_tree[f]) {  // segments drain down a column: in order, from the first
      part = chain(hn::Zero(d), o.segment_begin[first], o.segment_end[first]);
      for (std::size_t g = 1; g < count; ++g) {
        part = add(part, chain(hn::Zero(d), o.segment_begin[first + g], o.segment_end[first + g]));
      }
    } else if (count > 0) {  // neighbours pairwise, level by level, an odd one passed up
      for (std::size_t g = 0; g < count; ++g) {
        hn::StoreU(chain(hn::Zero(d), o.segment_begin[first + g], o.segment_end[first + g]), d,
                   scratch + g * lanes);
      }
      for (std::size_t width = count; width > 1;) {
        std::size_t up = 0;
        for (std::size_t i = 0; i + 1 < width; i += 2) {
          hn::StoreU(add(hn::LoadU(d, scratch + i * lanes), hn::LoadU(d, scratch + (i + 1) * lanes)), d,
                     scratch + (up++) * lanes);
        }
        if (width % 2 == 1) hn::StoreU(hn::LoadU(d, scratch + (width - 1) * lanes), d, scratch + (up++) * lanes);
        width = up;
      }
      part = hn::LoadU(d, scratch);
    }
    running = add(running, part);
  }
  return running;
}

void IntChains(const LaneOrder& o, std::int32_t lo, std::int32_t hi, bool wrap,
               const std::int32_t* x, std::size_t ld, std::size_t lanes, const std::int32_t* s,
               const std::int32_t* start, std::int32_t* out, std::int32_t* scratch,
               std::uint64_t& overflows) {
  const hn::ScalableTag<std::int32_t> d;
  using V = hn::Vec<decltype(d)>;
  const V vlo = hn::Set(d, lo);
  const V vhi = hn::Set(d, hi);
  // hi - lo + 1 is a power of two: wrapping is (t - lo) mod 2^N + lo.
  const V modulus_mask = hn::Set(d, static_cast<std::int32_t>(static_cast<std::uint32_t>(hi) - static_cast<std::uint32_t>(lo)));
  const std::size_t step_lanes = hn::Lanes(d);
  for (std::size_t l = 0; l < lanes; l += step_lanes) {
    V counts = hn::Zero(d);  // adds that left the range, per lane (VecFromMask is -1)
    const auto range = [&](V t) {
      const auto outside = hn::Or(hn::Lt(t, vlo), hn::Gt(t, vhi));
      counts = hn::Sub(counts, hn::VecFromMask(d, outside));
      return wrap ? hn::Add(hn::And(hn::Sub(t, vlo), modulus_mask), vlo) : hn::Min(hn::Max(t, vlo), vhi);
    };
    const auto step = [&](V v, V xv, V sv) { return range(hn::Add(v, hn::Mul(xv, sv))); };
    const auto add = [&](V a, V b) { return range(hn::Add(a, b)); };
    const V sum = BlockChains(d, o, x + l, ld, s, hn::LoadU(d, start + l), scratch, step, add);
    hn::StoreU(sum, d, out + l);
    overflows += static_cast<std::uint64_t>(hn::GetLane(hn::SumOfLanes(d, counts)));
  }
}

void Fp32Chains(const LaneOrder& o, const float* x, std::size_t ld, std::size_t lanes,
                const float* s, const float* start, float* out, float* scratch) {
  const hn::ScalableTag<float> d;
  using V = hn::Vec<decltype(d)>;
  const auto step = [](V v, V xv, V sv) { return hn::MulAdd(xv, sv, v); };
  const auto add = [](V a, V b) { return hn::Add(a, b); };
  for (std::size_t l = 0; l < lanes; l += hn::Lanes(d)) {
    hn::StoreU(BlockChains(d, o, x + l, ld, s, hn::LoadU(d, start + l), scratch, step, add), d, out + l);
  }
}

}  // namespace HWY_NAMESPACE
}  // namespace qarch::func
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace qarch::func {

HWY_EXPORT(Int32Lanes);
HWY_EXPORT(NativeFma);
HWY_EXPORT(IntChains);
HWY_EXPORT(Fp32Chains);

namespace {

// At least 16 (a 512-bit vector) so that the caller's layout does not depend on the target.
std::size_t lanes_per_vector() { return HWY_DYNAMIC_DISPATCH(Int32Lanes)(); }

}  // namespace

std::size_t lane_chain_padding() {
  const std::size_t lanes = lanes_per_vector();
  return lanes > 16 ? lanes : 16;
}

bool lane_chains_fused() { return HWY_DYNAMIC_DISPATCH(NativeFma)(); }

LaneOrder::LaneOrder(const mapping::AccumulationOrder& order, bool one_chain, std::int64_t k)
    : sequential(one_chain || order.sequential) {
  if (sequential) {
    segment_begin = {0};
    segment_end = {k};
    return;
  }
  for (const mapping::Fold& fold : order.folds) {
    fold_first.push_back(segment_begin.size());
    fold_tree.push_back(fold.tree ? 1 : 0);
    for (const mapping::Segment& seg : fold.segments) {
      segment_begin.push_back(seg.begin);
      segment_end.push_back(seg.end);
    }
    if (fold.segments.size() > max_segments) max_segments = fold.segments.size();
  }
  fold_first.push_back(segment_begin.size());
}

IntLaneChains::IntLaneChains(const LaneOrder& order, std::int32_t lo, std::int32_t hi, bool wrap)
    : order_(order), lo_(lo), hi_(hi), wrap_(wrap),
      scratch_(order.max_segments * lane_chain_padding()) {}

void IntLaneChains::run(const std::int32_t* x, std::size_t ld, std::size_t lanes,
                        const std::int32_t* s, const std::int32_t* start, std::int32_t* out,
                        std::uint64_t& overflows) {
  HWY_DYNAMIC_DISPATCH(IntChains)(order_, lo_, hi_, wrap_, x, ld, lanes, s, start, out, scratch_.data(), overflows);
}

Fp32LaneChains::Fp32LaneChains(const LaneOrder& order)
    : order_(order), scratch_(order.max_segments * lane_chain_padding()) {}

void Fp32LaneChains::run(const float* x, std::size_t ld, std::size_t lanes, const float* s,
                         const float* start, float* out) {
  HWY_DYNAMIC_DISPATCH(Fp32Chains)(order_, x, ld, lanes, s, start, out, scratch_.data());
}

}  // namespace qarch::func
#endif
