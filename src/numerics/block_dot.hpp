#pragma once
// The block dot-product unit (OCP MX v1.0, section 6, generalized): per block pair along the
// reduction, the element products are summed exactly as integers; that sum times the two blocks'
// scales and units is exact too (int128 or wider arithmetic), and is rounded once into the
// accumulator format, then added to the accumulator with the format's adder. Operands
// (block_operand.hpp) are MX, NVFP4 or group blocks, or a scalar format cut into blocks of the
// partner's size. A NaN block makes the result NaN.

#include <cstdint>
#include <optional>

#include "numerics/accumulator.hpp"
#include "numerics/block_operand.hpp"
#include "numerics/format.hpp"
#include "numerics/rounding.hpp"

namespace qarch::numerics {

// The exact value of block ia of `a` times block ib of `b` (element products summed, times both
// scales), rounded to odd at 53 bits: exact when it fits 53 bits, and rounding it once more to any
// format of at most 51 significant bits (fp32, fp16, bf16, fixed point of up to 32 bits) gives
// the exact value correctly rounded (Boldo and Melquiond 2008). Never overflows or underflows a
// double. NaN when either block is NaN. Throws std::invalid_argument for different block sizes.
double block_pair_exact(const BlockOperand& a, std::size_t ia, const BlockOperand& b, std::size_t ib);

// Rounds block values into an accumulator format and adds them with its adder, counting
// overflows: fp32 and other floats (nearest even; out of range per the overflow mode: infinity
// by default for IEEE floats) or fixedN_F (nearest even onto its 2^-F grid, then saturating or
// wrapping; every add exact). A NaN stays NaN, also in a fixed-point accumulator (whose hardware
// would flag the NaN block).
class BlockAccumulator {
 public:
  // Throws FormatError for other formats (check_accumulator's sentence) and overflow modes the
  // format does not have.
  explicit BlockAccumulator(const Format& format, std::optional<Overflow> overflow = std::nullopt);

  double round(double exact);           // a block_pair_exact value, rounded once into the format
  double add(double sum, double value);  // two values of the format, with the format's adder
  // `start` plus blocks first_a + j of `a` times first_b + j of `b`, j < count, in order.
  double dot(const BlockOperand& a, std::size_t first_a, const BlockOperand& b, std::size_t first_b,
             std::size_t count, double start);

  std::uint64_t overflow_count() const { return overflows_; }

 private:
  Format format_;
  bool fp32_infinity_ = false;  // fp32 with IEEE overflow: float conversions and adds
  Accumulator adder_;
  Overflow overflow_;
  std::uint64_t overflows_ = 0;
};

// The dot product of two operands with the same block size and number of blocks, accumulated
// in fp32 from `initial`: BlockAccumulator(fp32).dot, without counting. Throws
// std::invalid_argument for operands of different block sizes or lengths.
float block_dot_fp32(const BlockOperand& a, const BlockOperand& b, float initial = 0.0f);

}  // namespace qarch::numerics
