#pragma once
// A matrix product whose products come from a table: one row of int64 products per weight code
// (the quire paths of a posit or PLAM MAC, numerics::Mac::quire_product_units), looked up per
// SIMD lane with a gather and summed in int64 lanes. The sums are exact integers, so lane order
// is free and every instruction set (Highway, run-time dispatch) gives the same sums.

#include <cstddef>
#include <cstdint>

namespace qarch::func {

// out[c * ld + r] = sum over j < k of table[w_rows[c * k + j] + x[j * ld + r]] for c < n and
// r < lanes, where x holds k rows of ld lanes (activation codes; ld a multiple of
// lane_chain_padding(), simd_lane_chains.hpp) and w_rows[c * k + j] is the offset of weight
// (c, j)'s row of products. Exact when every partial sum's magnitude stays below 2^63.
void table_lane_gemm(const std::int64_t* table, const std::int32_t* x, std::size_t ld, std::size_t lanes,
                     const std::int64_t* w_rows, std::size_t n, std::size_t k, std::int64_t* out);

}  // namespace qarch::func
