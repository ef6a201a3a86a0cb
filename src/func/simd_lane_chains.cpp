// Compiled once per instruction set by Highway's foreach_target (HWY_TARGET_INCLUDE); the
// exported entry points dispatch at run time to the best target the CPU supports.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "func/simd_lane_chains.cpp"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"

#include "func/simd_lane_chains.hpp"

#include <limits>
#include <type_traits>

HWY_BEFORE_NAMESPACE();
namespace qarch::func {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

std::size_t Int32Lanes() { return hn::Lanes(hn::ScalableTag<std::int32_t>()); }
bool NativeFma() { return HWY_NATIVE_FMA != 0; }

// C channels x U vectors of lanes (C * U * Lanes(d) chains) through the order into out[c]:
// channel c's chains multiply the shared lanes x by its broadcast operand s[c][j] and start
// from start(c, u). `step(i, v, x, s)` adds one product to chain vector i = c * U + u, `add(i,
// a, b)` is the accumulator's adder; both act lane by lane, so every lane sees exactly the
// scalar sequence of operations of its chain (DotKernel::chain, QuantizedLayer::accumulate).
// C and U only interleave independent chains: U > 1 hides each add's latency, C > 1 reuses
// each load of x for C products.
template <std::size_t C, std::size_t U, class D, typename T, class Start, class Step, class Add>
void GroupChains(D d, const LaneOrder& o, const T* x, std::size_t ld, const T* const* s, const Start& start,
                 T* scratch, const Step& step, const Add& add, T* const* out) {
  using V = hn::Vec<D>;
  constexpr std::size_t kV = C * U;
  const std::size_t lanes = hn::Lanes(d);
  const auto chain = [&](V* v, std::int64_t begin, std::int64_t end) {
    for (std::int64_t j = begin; j < end; ++j) {
      const T* row = x + static_cast<std::size_t>(j) * ld;
      V xv[U];
      for (std::size_t u = 0; u < U; ++u) xv[u] = hn::LoadU(d, row + u * lanes);
      for (std::size_t c = 0; c < C; ++c) {
        const V sv = hn::Set(d, s[c][j]);
        for (std::size_t u = 0; u < U; ++u) v[c * U + u] = step(c * U + u, v[c * U + u], xv[u], sv);
      }
    }
  };
  const auto zero = [&](V* v) {
    for (std::size_t i = 0; i < kV; ++i) v[i] = hn::Zero(d);
  };
  V running[kV];
  for (std::size_t c = 0; c < C; ++c) {
    for (std::size_t u = 0; u < U; ++u) running[c * U + u] = start(c, u);
  }
  if (o.sequential) {
    chain(running, 0, o.segment_end.empty() ? 0 : o.segment_end.back());
  } else {
    V part[kV];
    for (std::size_t f = 0; f + 1 < o.fold_first.size(); ++f) {
      const std::size_t first = o.fold_first[f];
      const std::size_t count = o.fold_first[f + 1] - first;
      zero(part);
      if (!o.fold_tree[f]) {  // segments drain down a column: in order, from the first
        chain(part, o.segment_begin[first], o.segment_end[first]);
        for (std::size_t g = 1; g < count; ++g) {
          V next[kV];
          zero(next);
          chain(next, o.segment_begin[first + g], o.segment_end[first + g]);
          for (std::size_t i = 0; i < kV; ++i) part[i] = add(i, part[i], next[i]);
        }
      } else if (count > 0) {  // neighbours pairwise, level by level, an odd one passed up
        const auto at = [&](std::size_t g, std::size_t i) { return scratch + (g * kV + i) * lanes; };
        for (std::size_t g = 0; g < count; ++g) {
          V next[kV];
          zero(next);
          chain(next, o.segment_begin[first + g], o.segment_end[first + g]);
          for (std::size_t i = 0; i < kV; ++i) hn::StoreU(next[i], d, at(g, i));
        }
        for (std::size_t width = count; width > 1;) {
          std::size_t up = 0;
          for (std::size_t g = 0; g + 1 < width; g += 2, ++up) {
            for (std::size_t i = 0; i < kV; ++i) {
              hn::StoreU(add(i, hn::LoadU(d, at(g, i)), hn::LoadU(d, at(g + 1, i))), d, at(up, i));
            }
          }
          if (width % 2 == 1) {
            for (std::size_t i = 0; i < kV; ++i) hn::StoreU(hn::LoadU(d, at(width - 1, i)), d, at(up, i));
            ++up;
          }
          width = up;
        }
        for (std::size_t i = 0; i < kV; ++i) part[i] = hn::LoadU(d, at(0, i));
      }
      for (std::size_t i = 0; i < kV; ++i) running[i] = add(i, running[i], part[i]);
    }
  }
  for (std::size_t c = 0; c < C; ++c) {
    for (std::size_t u = 0; u < U; ++u) hn::StoreU(running[c * U + u], d, out[c] + u * lanes);
  }
}

// One operand row s for every lane: kLaneChainUnroll vectors of chains at a time while they
// last, then one, each lane from start[l]; `done()` after each.
template <class D, typename T, class Step, class Add, class Done>
void AllChains(D d, const LaneOrder& o, const T* x, std::size_t ld, std::size_t lanes, const T* s,
               const T* start, T* scratch, const Step& step, const Add& add, const Done& done, T* out) {
  const std::size_t n = hn::Lanes(d);
  const T* const rows[1] = {s};
  std::size_t l = 0;
  for (; l + kLaneChainUnroll * n <= lanes; l += kLaneChainUnroll * n) {
    T* const outs[1] = {out + l};
    const auto from = [&](std::size_t, std::size_t u) { return hn::LoadU(d, start + l + u * n); };
    GroupChains<1, kLaneChainUnroll>(d, o, x + l, ld, rows, from, scratch, step, add, outs);
    done();
  }
  for (; l < lanes; l += n) {
    T* const outs[1] = {out + l};
    const auto from = [&](std::size_t, std::size_t) { return hn::LoadU(d, start + l); };
    GroupChains<1, 1>(d, o, x + l, ld, rows, from, scratch, step, add, outs);
    done();
  }
}

// Chains of T lanes whose every add is saturated (or wrapped) into [lo, hi] and counted when it
// leaves the range, as numerics::Accumulator::add_integer_units; `product(x, s)` is one
// product of a lane's operand and the broadcast one.
template <typename T, class Product>
void SaturatingChains(const LaneOrder& o, T lo, T hi, bool wrap, const T* x, std::size_t ld, std::size_t lanes,
                      const T* s, const T* start, T* out, T* scratch, std::uint64_t& overflows,
                      const Product& product) {
  const hn::ScalableTag<T> d;
  using V = hn::Vec<decltype(d)>;
  using U = std::make_unsigned_t<T>;
  const V vlo = hn::Set(d, lo);
  const V vhi = hn::Set(d, hi);
  // hi - lo + 1 is a power of two: wrapping is (t - lo) mod 2^N + lo.
  const V modulus_mask = hn::Set(d, static_cast<T>(static_cast<U>(hi) - static_cast<U>(lo)));
  V counts[kLaneChainUnroll];  // adds that left the range, per lane (VecFromMask is -1)
  for (V& c : counts) c = hn::Zero(d);
  const auto range = [&](std::size_t u, V t) {
    const auto outside = hn::Or(hn::Lt(t, vlo), hn::Gt(t, vhi));
    counts[u] = hn::Sub(counts[u], hn::VecFromMask(d, outside));
    return wrap ? hn::Add(hn::And(hn::Sub(t, vlo), modulus_mask), vlo) : hn::Min(hn::Max(t, vlo), vhi);
  };
  const auto step = [&](std::size_t u, V v, V xv, V sv) { return range(u, hn::Add(v, product(d, xv, sv))); };
  const auto add = [&](std::size_t u, V a, V b) { return range(u, hn::Add(a, b)); };
  const auto done = [&] {  // each lane's count is below its number of adds
    T lane_counts[HWY_MAX_BYTES / sizeof(T)];
    for (V& c : counts) {
      hn::StoreU(c, d, lane_counts);
      for (std::size_t i = 0; i < hn::Lanes(d); ++i) overflows += static_cast<std::uint64_t>(lane_counts[i]);
      c = hn::Zero(d);
    }
  };
  // The full range of T means no range (a quire's sums, bounded by the caller): plain adds.
  // IntLaneChains never gets it: its condition needs max(|lo|, |hi|) + max |p| < 2^31.
  if (lo == std::numeric_limits<T>::min() && hi == std::numeric_limits<T>::max()) {
    const auto plain_step = [&](std::size_t, V v, V xv, V sv) { return hn::Add(v, product(d, xv, sv)); };
    const auto plain_add = [](std::size_t, V a, V b) { return hn::Add(a, b); };
    AllChains(d, o, x, ld, lanes, s, start, scratch, plain_step, plain_add, [] {}, out);
    return;
  }
  AllChains(d, o, x, ld, lanes, s, start, scratch, step, add, done, out);
}

void IntChains(const LaneOrder& o, std::int32_t lo, std::int32_t hi, bool wrap,
               const std::int32_t* x, std::size_t ld, std::size_t lanes, const std::int32_t* s,
               const std::int32_t* start, std::int32_t* out, std::int32_t* scratch,
               std::uint64_t& overflows) {
  SaturatingChains(o, lo, hi, wrap, x, ld, lanes, s, start, out, scratch, overflows,
                   [](auto, auto xv, auto sv) { return hn::Mul(xv, sv); });
}

// Products of int64 lanes (Int64Product). Mitchell's product of two packed operands
// (pack_mitchell_operand), as Mac's mitchell_integer loop computes it: S = x 2^k' + x' 2^k, then
// 2^(k+k') + S if S < 2^(k+k'), else 2 S, masked to 0 for a zero operand, signed. Multiply: the
// exact product of operands below 2^31 in magnitude (their low 32 bits, multiplied into 64).
// Either is then shifted left by `shift` into accumulator units.
void Int64Chains(const LaneOrder& o, std::int64_t lo, std::int64_t hi, bool wrap, int shift, bool multiply,
                 const std::int64_t* x, std::size_t ld, std::size_t lanes, const std::int64_t* s,
                 const std::int64_t* start, std::int64_t* out, std::int64_t* scratch, std::uint64_t& overflows) {
  const auto mitchell = [shift](auto d, auto a, auto b) {
    const auto fraction_mask = hn::Set(d, 0xffffffff);
    const auto k_mask = hn::Set(d, 0xff);
    const auto fa = hn::And(a, fraction_mask), fb = hn::And(b, fraction_mask);
    const auto ka = hn::And(hn::ShiftRight<32>(a), k_mask), kb = hn::And(hn::ShiftRight<32>(b), k_mask);
    const auto sum = hn::Add(hn::Shl(fa, kb), hn::Shl(fb, ka));
    const auto one = hn::Shl(hn::Set(d, 1), hn::Add(ka, kb));
    const auto m = hn::IfThenElse(hn::Lt(sum, one), hn::Add(one, sum), hn::Add(sum, sum));
    const auto nonzero = hn::And(hn::BroadcastSignBit(hn::ShiftLeft<2>(a)), hn::BroadcastSignBit(hn::ShiftLeft<2>(b)));
    const auto sign = hn::Xor(hn::BroadcastSignBit(hn::ShiftLeft<1>(a)), hn::BroadcastSignBit(hn::ShiftLeft<1>(b)));
    const auto magnitude = hn::And(hn::ShiftLeftSame(m, shift), nonzero);
    return hn::Sub(hn::Xor(magnitude, sign), sign);
  };
  const auto product = [shift](auto d, auto a, auto b) {
#if HWY_TARGET == HWY_SCALAR
    return hn::ShiftLeftSame(hn::Set(d, hn::GetLane(a) * hn::GetLane(b)), shift);
#else
    const hn::Repartition<std::int32_t, decltype(d)> d32;
    return hn::ShiftLeftSame(hn::MulEven(hn::BitCast(d32, a), hn::BitCast(d32, b)), shift);
#endif
  };
  if (multiply) {
    SaturatingChains(o, lo, hi, wrap, x, ld, lanes, s, start, out, scratch, overflows, product);
  } else {
    SaturatingChains(o, lo, hi, wrap, x, ld, lanes, s, start, out, scratch, overflows, mitchell);
  }
}

void Fp32Chains(const LaneOrder& o, const float* x, std::size_t ld, std::size_t lanes,
                const float* s, const float* start, float* out, float* scratch) {
  const hn::ScalableTag<float> d;
  using V = hn::Vec<decltype(d)>;
  const auto step = [](std::size_t, V v, V xv, V sv) { return hn::MulAdd(xv, sv, v); };
  const auto add = [](std::size_t, V a, V b) { return hn::Add(a, b); };
  AllChains(d, o, x, ld, lanes, s, start, scratch, step, add, [] {}, out);
}

// kChannelBlock channels at a time over kRowBlock vectors of lanes (their lanes' loads shared),
// then single channels and single vectors at the edges.
constexpr std::size_t kChannelBlock = 4, kRowBlock = 3;

void Fp32ChannelChains(const LaneOrder& o, const float* x, std::size_t ld, std::size_t lanes,
                       const float* s, std::size_t k, std::size_t channels, const float* starts,
                       float* out, float* scratch) {
  const hn::ScalableTag<float> d;
  using V = hn::Vec<decltype(d)>;
  const std::size_t n = hn::Lanes(d);
  const auto step = [](std::size_t, V v, V xv, V sv) { return hn::MulAdd(xv, sv, v); };
  const auto add = [](std::size_t, V a, V b) { return hn::Add(a, b); };
  // Lanes outermost: one block of x (k x kRowBlock vectors) stays in cache for every channel.
  const auto block = [&](auto channel_block, auto row_block, std::size_t l, std::size_t c) {
    constexpr std::size_t kC = decltype(channel_block)::value, kU = decltype(row_block)::value;
    const float* rows[kC];
    float* outs[kC];
    for (std::size_t i = 0; i < kC; ++i) {
      rows[i] = s + (c + i) * k;
      outs[i] = out + (c + i) * ld + l;
    }
    const auto from = [&](std::size_t i, std::size_t) { return hn::Set(d, starts[c + i]); };
    GroupChains<kC, kU>(d, o, x + l, ld, rows, from, scratch, step, add, outs);
  };
  using One = std::integral_constant<std::size_t, 1>;
  using Channels = std::integral_constant<std::size_t, kChannelBlock>;
  using Rows = std::integral_constant<std::size_t, kRowBlock>;
  const auto over_channels = [&](auto row_block, std::size_t l) {
    std::size_t c = 0;
    for (; c + kChannelBlock <= channels; c += kChannelBlock) block(Channels{}, row_block, l, c);
    for (; c < channels; ++c) block(One{}, row_block, l, c);
  };
  std::size_t l = 0;
  for (; l + kRowBlock * n <= lanes; l += kRowBlock * n) over_channels(Rows{}, l);
  for (; l < lanes; l += n) over_channels(One{}, l);
}

}  // namespace HWY_NAMESPACE
}  // namespace qarch::func
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace qarch::func {

HWY_EXPORT(Int32Lanes);
HWY_EXPORT(NativeFma);
HWY_EXPORT(IntChains);
HWY_EXPORT(Int64Chains);
HWY_EXPORT(Fp32Chains);
HWY_EXPORT(Fp32ChannelChains);

std::size_t lane_chain_padding() {
  // At least 16 (a 512-bit vector) so that the caller's layout does not depend on the target.
  const std::size_t lanes = HWY_DYNAMIC_DISPATCH(Int32Lanes)();
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
      scratch_(order.max_segments * kMaxChainVectors * lane_chain_padding()) {}

void IntLaneChains::run(const std::int32_t* x, std::size_t ld, std::size_t lanes,
                        const std::int32_t* s, const std::int32_t* start, std::int32_t* out,
                        std::uint64_t& overflows) {
  HWY_DYNAMIC_DISPATCH(IntChains)(order_, lo_, hi_, wrap_, x, ld, lanes, s, start, out, scratch_.data(), overflows);
}

Int64LaneChains::Int64LaneChains(const LaneOrder& order, std::int64_t lo, std::int64_t hi, bool wrap, int shift,
                                 Int64Product product)
    : order_(order), lo_(lo), hi_(hi), wrap_(wrap), shift_(shift), product_(product),
      scratch_(order.max_segments * kMaxChainVectors * lane_chain_padding()) {}

void Int64LaneChains::run(const std::int64_t* x, std::size_t ld, std::size_t lanes, const std::int64_t* s,
                          const std::int64_t* start, std::int64_t* out, std::uint64_t& overflows) {
  HWY_DYNAMIC_DISPATCH(Int64Chains)(order_, lo_, hi_, wrap_, shift_, product_ == Int64Product::Multiply, x, ld, lanes,
                                    s, start, out, scratch_.data(), overflows);
}

Fp32LaneChains::Fp32LaneChains(const LaneOrder& order)
    : order_(order), scratch_(order.max_segments * kMaxChainVectors * lane_chain_padding()) {}

void Fp32LaneChains::run_channels(const float* x, std::size_t ld, std::size_t lanes, const float* s,
                                  std::size_t k, std::size_t channels, const float* starts, float* out) {
  HWY_DYNAMIC_DISPATCH(Fp32ChannelChains)(order_, x, ld, lanes, s, k, channels, starts, out, scratch_.data());
}

void Fp32LaneChains::run(const float* x, std::size_t ld, std::size_t lanes, const float* s,
                         const float* start, float* out) {
  HWY_DYNAMIC_DISPATCH(Fp32Chains)(order_, x, ld, lanes, s, start, out, scratch_.data());
}

}  // namespace qarch::func
#endif
