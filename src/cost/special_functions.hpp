#pragma once
// The vector unit's special functions (softmax, the norms, GELU, SiLU, SwiGLU, sigmoid, tanh,
// RoPE) as operations of a special-function unit in its own number format
// (pe_array.special_function_format, default fp32), composed from blocks.hpp (docs/cost.md,
// "Special functions"): exp as range reduction and a degree-3 Horner polynomial, reciprocal as
// two Newton-Raphson iterations from a table seed. Pooling, add and ReLU stay one adder at the
// activation format.

#include <cstdint>
#include <optional>
#include <string>

#include "cost/blocks.hpp"
#include "numerics/format.hpp"

namespace qarch::cost {

// Operations per element the vector unit reads (softmax and the norms read each element twice:
// a reduction pass, then the normalization; swiglu reads gate and up for each output).
struct FunctionOps {
  double add = 0, multiply = 0, exp = 0, reciprocal = 0, rsqrt = 0;
};

// The recipe of `function`; empty for what is not a special function (relu, pooling, add).
// `row_elements` > 0 adds the per-row work shared by that many elements: softmax's one
// reciprocal of the sum, the norms' one reciprocal square root of the variance.
std::optional<FunctionOps> special_function_ops(const std::string& function, std::int64_t row_elements = 0);

// One operation of each kind in `format`: float formats use float blocks, integer-like ones
// integer blocks.
BlockCost sfu_add(const Technology& t, const numerics::Format& format);
BlockCost sfu_multiply(const Technology& t, const numerics::Format& format);
BlockCost sfu_exp(const Technology& t, const numerics::Format& format);         // 4 mul + 4 add + exponent insert
BlockCost sfu_reciprocal(const Technology& t, const numerics::Format& format);  // 4 mul + 2 add
BlockCost sfu_rsqrt(const Technology& t, const numerics::Format& format);       // 6 mul + 2 add

// The energy per element read of `ops` in `format`.
BlockCost special_function_cost(const Technology& t, const FunctionOps& ops, const numerics::Format& format);

}  // namespace qarch::cost
