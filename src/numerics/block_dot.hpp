#pragma once
// The block dot-product unit of MX formats (OCP MX v1.0, section 6): per block pair, the element
// products are summed exactly in fixed point; the sum is scaled by 2^(eA + eB), rounded once to
// fp32 and added to an fp32 accumulator (one rounding per block). Elements are held as integers
// in units of their format's smallest subnormal (E4M3: 2^-9, E2M1: 2^-1, MXINT8: 2^-6), so a
// block's sum is an integer and exact.

#include <cstdint>
#include <vector>

#include "numerics/block_format.hpp"

namespace qarch::numerics {

// One operand of a block dot product: a format's blocks as integer elements and exponents.
class BlockOperand {
 public:
  // `blocks` as quantize_mx made them, in order along the reduction.
  BlockOperand(const BlockFormat& format, const std::vector<QuantizedBlock>& blocks);

  std::size_t blocks() const { return exponents_.size(); }
  int block_size() const { return block_; }
  int unit_exponent() const { return unit_; }  // the element integers' unit, 2^unit
  bool nan(std::size_t b) const { return nan_[b] != 0; }
  int exponent(std::size_t b) const { return exponents_[b]; }
  const std::int64_t* elements(std::size_t b) const { return &elements_[b * static_cast<std::size_t>(block_)]; }
  std::int64_t max_element() const { return max_; }

 private:
  int block_ = 32, unit_ = 0;
  std::int64_t max_ = 0;
  std::vector<std::int64_t> elements_;  // zero-padded to whole blocks (E5M2: up to 57344 x 2^16)
  std::vector<int> exponents_;
  std::vector<char> nan_;
};

// The dot product of two operands with the same block size and number of blocks, accumulated
// in fp32 from `initial`. A NaN block makes the result NaN.
float block_dot_fp32(const BlockOperand& a, const BlockOperand& b, float initial = 0.0f);

// The exact value of block pair `block` (its integer sum times 2^(eA + eB + units)), rounded once
// to fp32.
float block_pair_fp32(const BlockOperand& a, const BlockOperand& b, std::size_t block);

}  // namespace qarch::numerics
