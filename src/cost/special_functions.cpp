#include "cost/special_functions.hpp"

namespace qarch::cost {

namespace {
bool is_float(const numerics::Format& f) { return f.kind() == numerics::FormatKind::Float; }
}  // namespace

std::optional<FunctionOps> special_function_ops(const std::string& f, std::int64_t row_elements) {
  // Per element, then divided by the reads per element (2 for softmax and the norms); per row,
  // divided by the row's reads.
  const double per_row = row_elements > 0 ? 1.0 / (2.0 * static_cast<double>(row_elements)) : 0;
  if (f == "softmax") return FunctionOps{3.0 / 2, 1.0 / 2, 1.0 / 2, per_row, 0};  // max, subtract, sum; exp; scale; 1/sum
  if (f == "layernorm") return FunctionOps{4.0 / 2, 3.0 / 2, 0, 0, per_row};     // mean, variance, centre, beta; square, scale, gamma; 1/sqrt
  if (f == "rmsnorm") return FunctionOps{1.0 / 2, 3.0 / 2, 0, 0, per_row};       // sum of squares; square, scale, gamma; 1/sqrt
  if (f == "gelu") return FunctionOps{4, 7, 1, 1};                          // tanh form: 0.5 x (1 + tanh(k (x + 0.044715 x^3)))
  if (f == "sigmoid") return FunctionOps{1, 0, 1, 1};                       // 1 / (1 + exp(-x))
  if (f == "silu") return FunctionOps{1, 1, 1, 1};                          // x sigmoid(x)
  if (f == "tanh") return FunctionOps{2, 2, 1, 1};                          // 1 - 2 / (exp(2x) + 1)
  if (f == "swiglu") return FunctionOps{1.0 / 2, 2.0 / 2, 1.0 / 2, 1.0 / 2};  // silu(gate) x up, two reads per output
  if (f == "rope") return FunctionOps{1, 2, 0, 0};                          // x cos + rotate(x) sin (a table gives cos, sin)
  return std::nullopt;
}

BlockCost sfu_add(const Technology& t, const numerics::Format& f) {
  return is_float(f) ? fp_adder(t, f.mantissa_bits()) : int_adder(t, f.bits());
}

BlockCost sfu_multiply(const Technology& t, const numerics::Format& f) {
  return is_float(f) ? fp_multiplier(t, f.exponent_bits(), f.mantissa_bits()) : int_multiplier(t, f.bits(), f.bits());
}

// exp(x) = 2^i 2^r, x log2(e) = i + r: one multiply and one add reduce the range, a degree-3
// polynomial in Horner form (3 multiplies, 3 adds) gives 2^r, and i is added to the exponent.
BlockCost sfu_exp(const Technology& t, const numerics::Format& f) {
  return 4.0 * sfu_multiply(t, f) + 4.0 * sfu_add(t, f) + int_adder(t, is_float(f) ? f.exponent_bits() + 1 : 8);
}

// 1/d from a table seed: two Newton-Raphson iterations x (2 - d x), 2 multiplies and 1 add each.
BlockCost sfu_reciprocal(const Technology& t, const numerics::Format& f) {
  return 4.0 * sfu_multiply(t, f) + 2.0 * sfu_add(t, f);
}

// 1/sqrt(d) from a table seed: two Newton-Raphson iterations x (3 - d x^2) / 2, 3 multiplies and
// 1 add each.
BlockCost sfu_rsqrt(const Technology& t, const numerics::Format& f) {
  return 6.0 * sfu_multiply(t, f) + 2.0 * sfu_add(t, f);
}

BlockCost special_function_cost(const Technology& t, const FunctionOps& ops, const numerics::Format& f) {
  return ops.add * sfu_add(t, f) + ops.multiply * sfu_multiply(t, f) + ops.exp * sfu_exp(t, f) +
         ops.reciprocal * sfu_reciprocal(t, f) + ops.rsqrt * sfu_rsqrt(t, f);
}

}  // namespace qarch::cost
