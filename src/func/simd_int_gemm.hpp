#pragma once
// An exact integer matrix product for layers whose sum cannot depend on the order (every partial
// sum fits the accumulator: QuantizedLayer::order_free()). Operands are small integers (int8,
// int4, binary, pow2, ... codes decoded once into accumulator units, docs/functional.md), so
// products are summed in any order: 16-bit lanes multiplied pairwise into 32-bit lanes
// (pmaddwd-style), vectorized along k. Google Highway picks the widest instruction set of the
// running CPU (runtime dispatch); the result is the exact integer sum on every target.

#include <cstddef>
#include <cstdint>

namespace qarch::func {

// Rows passed to int16_gemm are padded (with zeros) to a multiple of this length.
std::size_t int16_gemm_row_padding();

// out[r * n + c] = sum over j < k_padded of a[r * k_padded + j] * w[c * k_padded + j], for r < m
// and c < n. Exact when no value is -32768 and k * max|a| * max|w| < 2^31 (so no 32-bit lane
// and no pair of products can overflow). k_padded is a multiple of int16_gemm_row_padding().
void int16_gemm(const std::int16_t* a, std::size_t m, const std::int16_t* w, std::size_t n,
                std::size_t k_padded, std::int32_t* out);

// The same product with the rows in SIMD lanes, for convolutions (many rows): x2 holds the
// operands as k_pairs pairs of k rows, each ld lanes (rows) of two interleaved int16 values,
// x2[(p * ld + r) * 2 + t] = A[r][2p + t]; w_pairs[c * k_pairs + p] holds W[c][2p] in its low
// and W[c][2p + 1] in its high 16 bits. out[c * ld + r] for c < n and r < lanes (ld a multiple
// of lane_chain_padding(), simd_lane_chains.hpp) is the exact sum under int16_gemm's bound.
void int16_lane_gemm(const std::int16_t* x2, std::size_t ld, std::size_t lanes, const std::int32_t* w_pairs,
                     std::size_t n, std::size_t k_pairs, std::int32_t* out);

// x2 for int16_lane_gemm from k rows of ld lanes, x[j * ld + r] (an odd k's last pair takes
// zeros as its second value).
void interleave_pairs(const std::int16_t* x, std::size_t ld, std::size_t k, std::int16_t* x2);

// counts[j] = how many of row j's ld values x[j * ld .. j * ld + ld) are zero, for j < rows; ld
// a multiple of lane_chain_padding().
void count_zeros(const std::int16_t* x, std::size_t ld, std::size_t rows, std::int64_t* counts);
// The same on float lanes (FastLayerKernel's float chains): +0 and -0 are zeros.
void count_zeros(const float* x, std::size_t ld, std::size_t rows, std::int64_t* counts);

}  // namespace qarch::func
