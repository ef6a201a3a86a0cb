#pragma once
// The float32 reference's dot products (reference.cpp) for many outputs at once, one per SIMD
// lane, each with exactly the scalar code's operations: four partial sums from +0, sum i over
// the j < k - k % 4 with j % 4 == i, the remaining j added to sum 0, every product rounded to
// float and then added (never fused: this file is compiled with -ffp-contract=off), and the
// result ((s0 + s1) + (s2 + s3)) + bias. Lanes never interact, so results are the scalar
// loop's on every instruction set (Highway, run-time dispatch).

#include <cstddef>

namespace qarch::func {

// `count` dot products per lane: out[b * ld + l] for b < count, l < lanes, is the dot product
// of x[j * ld + l] and s[b * k + j] over j < k, plus the bias: bias[b] when `bias_per_lane`
// is false (null: 0), else bias[l] for every b. Several b share each load of x (the lanes are
// rows of a convolution and b its channels, or the lanes are channels and b the rows). x and
// out hold ld lanes, a multiple of lane_chain_padding() (simd_lane_chains.hpp), as does bias
// when it is per lane.
void reference_lane_dots(const float* x, std::size_t ld, std::size_t lanes, const float* s, std::size_t count,
                         std::size_t k, const float* bias, bool bias_per_lane, float* out);

}  // namespace qarch::func
