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

}  // namespace qarch::func
