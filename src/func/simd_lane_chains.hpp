#pragma once
// Many independent accumulation chains at once, one per SIMD lane, each in its own exact order
// (mapping::AccumulationOrder: sequential, or folds of segments chained or reduced by an adder
// tree). The lanes are outputs that share one operand per k (consecutive rows of one channel
// share the weight, channels of one row share the activation), so lane l adds
// x[k * ld + l] * s[k] at step k, exactly as one scalar chain would. Google Highway picks the
// instruction set at run time; every lane computes the same operations in the same order on
// every target, so results never depend on the vector width.
//
// - IntLaneChains: products and sums in accumulator units (int32 lanes), each add saturated or
//   wrapped into [lo, hi] and counted when it leaves the range, as numerics::Accumulator does.
// - Fp32LaneChains: each product added with one rounding (a fused multiply-add: the same
//   operation as std::fmaf), segment sums combined with float adds. A lane whose sum becomes
//   non-finite is returned as such and its caller recomputes that chain on the scalar path.
//
// Both keep their scratch memory per instance (one instance per thread).

#include <cstddef>
#include <cstdint>
#include <vector>

#include "mapping/accumulation_order.hpp"

namespace qarch::func {

// Vectors of chains a kernel interleaves (independent adds hide each other's latency).
inline constexpr std::size_t kLaneChainUnroll = 4;
// The most chain vectors a kernel keeps at once (the scratch of a tree fold is sized for it).
inline constexpr std::size_t kMaxChainVectors = 16;

// Lane arrays (x rows, start, out) are padded (with zeros) to a multiple of this length
// (enough for int64 lanes too).
std::size_t lane_chain_padding();

// True if the running CPU's chosen target computes MulAdd with one rounding (an FMA
// instruction). Without it, Fp32LaneChains is exact only when every product is a float.
bool lane_chains_fused();

// The order flattened for the kernels: folds of segments [begin, end) of k.
struct LaneOrder {
  explicit LaneOrder(const mapping::AccumulationOrder& order, bool sequential, std::int64_t k);
  bool sequential = true;  // one chain over k from the start value
  std::vector<std::int64_t> segment_begin, segment_end;
  std::vector<std::size_t> fold_first;  // fold f: segments [fold_first[f], fold_first[f + 1])
  std::vector<char> fold_tree;
  std::size_t max_segments = 0;
};

class IntLaneChains {
 public:
  // Units range [lo, hi] of the accumulator; `wrap`: wrap modulo hi - lo + 1 (a power of
  // two), else saturate. Exact when max(|lo|, |hi|) + max |x * s| < 2^31.
  IntLaneChains(const LaneOrder& order, std::int32_t lo, std::int32_t hi, bool wrap);

  // out[l] for l < lanes: lane l's chain from start[l]; `overflows` gets every add that left
  // the range. x is k rows of ld (a multiple of lane_chain_padding(), >= lanes) values.
  void run(const std::int32_t* x, std::size_t ld, std::size_t lanes, const std::int32_t* s,
           const std::int32_t* start, std::int32_t* out, std::uint64_t& overflows);

 private:
  LaneOrder order_;
  std::int32_t lo_, hi_;
  bool wrap_;
  std::vector<std::int32_t> scratch_;  // a tree fold's segment sums, per lane (kLaneChainUnroll vectors)
};

// A Mitchell operand as Int64LaneChains reads it: the fraction below the magnitude's leading
// one (already truncated, below 2^32) in bits 0-31, that one's position k in bits 32-39, bit 61
// set unless the value is zero, bit 62 for a negative value (numerics::Mac::MitchellOperand).
inline std::int64_t pack_mitchell_operand(std::int64_t fraction, int k, bool nonzero, bool negative) {
  return fraction | static_cast<std::int64_t>(k) << 32 | (nonzero ? std::int64_t{1} << 61 : 0) |
         (negative ? std::int64_t{1} << 62 : 0);
}

// The product an Int64LaneChains forms from a lane's operand and the broadcast one.
enum class Int64Product {
  Mitchell,  // packed operands (pack_mitchell_operand): Mitchell's integer formula
  Multiply,  // integers below 2^31 in magnitude: their exact product
};

// IntLaneChains in int64 lanes (16-bit Mitchell products reach 2^32, beyond int32; posit
// values scaled into quire lsbs reach 2^48), each product shifted left by `shift` into
// accumulator units. Exact when max(|lo|, |hi|) + max |product| < 2^63. The full int64 range
// [INT64_MIN, INT64_MAX] means no range at all (a quire's exact sums, which the caller
// bounds): plain adds.
class Int64LaneChains {
 public:
  Int64LaneChains(const LaneOrder& order, std::int64_t lo, std::int64_t hi, bool wrap, int shift, Int64Product product);
  void run(const std::int64_t* x, std::size_t ld, std::size_t lanes, const std::int64_t* s,
           const std::int64_t* start, std::int64_t* out, std::uint64_t& overflows);

 private:
  LaneOrder order_;
  std::int64_t lo_, hi_;
  bool wrap_;
  int shift_;
  Int64Product product_;
  std::vector<std::int64_t> scratch_;
};

class Fp32LaneChains {
 public:
  explicit Fp32LaneChains(const LaneOrder& order);

  // As IntLaneChains::run in float; a non-finite out[l] means: recompute lane l.
  void run(const float* x, std::size_t ld, std::size_t lanes, const float* s, const float* start,
           float* out);
  // `channels` operand rows s (channel c's k values at s + c * k) on the same lanes x, channel
  // c's chains from starts[c], into out[c * ld + l]; as run() for each channel, faster (one
  // load of x serves several channels).
  void run_channels(const float* x, std::size_t ld, std::size_t lanes, const float* s, std::size_t k,
                    std::size_t channels, const float* starts, float* out);

 private:
  LaneOrder order_;
  std::vector<float> scratch_;
};

}  // namespace qarch::func
