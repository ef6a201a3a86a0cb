#pragma once
// The float32 reference's dot products (reference.cpp) for many outputs at once, one per SIMD
// lane, each with exactly the scalar code's operations: four partial sums from +0, sum i over
// the j < k - k % 4 with j % 4 == i, the remaining j added to sum 0, every product rounded to
// float and then added (never fused: this file is compiled with -ffp-contract=off), and the
// result ((s0 + s1) + (s2 + s3)) + bias. Lanes never interact, so results are the scalar
// loop's on every instruction set (Highway, run-time dispatch).

#include <cstddef>

namespace qarch::func {

// out[l] for l < lanes: the dot product of x[j * ld + l] and s[j] over j < k, plus bias[l].
// x, bias and out hold ld lanes, a multiple of lane_chain_padding() (simd_lane_chains.hpp).
void reference_lane_dots(const float* x, std::size_t ld, std::size_t lanes, const float* s,
                         std::size_t k, const float* bias, float* out);

}  // namespace qarch::func
