#pragma once
// One operand of a block dot product (block_dot.hpp), cut into blocks along the reduction axis.
// Per block: integer elements, a positive scale that is exactly significand x 2^exponent, and a
// NaN flag. Block formats bring their blocks and scales: MX (E8M0: 1 x 2^e), NVFP4 (the E4M3
// block scale times the fp32 tensor scale), group integers (an fp32 or fp16 s). A scalar format
// beside one (intN, uintN, fixedN_F, a float of at most 16 bits) is cut into blocks of the
// partner's size, each with scale 1.
//
// Elements are integers in units of 2^unit_exponent(): the format's smallest step (E4M3 2^-9,
// E5M2 2^-16, E2M1 2^-1, MXINT8 2^-6, group integers 1, fixedN_F 2^-F, fp16 2^-24, fp8_e4m3 2^-9).
// Floats whose range does not fit 48 bits at one unit (bf16, any fp<e,m> with e >= 6) are
// "floating": each element keeps its own exponent (element_exponents()).

#include <cstdint>
#include <vector>

#include "numerics/block_format.hpp"
#include "numerics/format.hpp"

namespace qarch::numerics {

class BlockOperand {
 public:
  // An empty operand of a block format; append() adds its blocks.
  explicit BlockOperand(const BlockFormat& format);
  // `blocks` as quantize_into_blocks made them, in order along the reduction.
  BlockOperand(const BlockFormat& format, const std::vector<QuantizedBlock>& blocks);
  // An empty operand of a scalar format in blocks of `block_size` (1..4096); append_codes()
  // adds values. Throws std::invalid_argument for formats block_dot does not take (check_mac
  // says why in users' terms).
  BlockOperand(const Format& scalar, int block_size);
  BlockOperand(const Format& scalar, int block_size, const std::uint32_t* codes, std::size_t n);

  void clear();  // no blocks; the format stays
  void append(const QuantizedBlock& block);  // block formats; a short block is zero-padded
  // Scalar formats: `n` codes as consecutive blocks, the last one zero-padded. An infinity or
  // NaN makes its block NaN (as an MX block holding one).
  void append_codes(const std::uint32_t* codes, std::size_t n);

  std::size_t blocks() const { return nan_.size(); }
  int block_size() const { return block_; }
  bool is_scalar() const { return scalar_; }
  bool floating() const { return floating_; }
  int unit_exponent() const { return unit_; }  // the elements' unit 2^unit (not floating)
  bool nan(std::size_t b) const { return nan_[b] != 0; }
  // Block b's scale = scale_significand(b) x 2^exponent(b); MX: 1 x 2^e, the shared exponent.
  int exponent(std::size_t b) const { return scale_exp_[b]; }
  std::uint64_t scale_significand(std::size_t b) const { return scale_sig_[b]; }
  double scale(std::size_t b) const;
  const std::int64_t* elements(std::size_t b) const { return &elements_[b * static_cast<std::size_t>(block_)]; }
  // Floating operands: element i of block b is elements(b)[i] x 2^element_exponents(b)[i].
  const std::int32_t* element_exponents(std::size_t b) const {
    return &element_exp_[b * static_cast<std::size_t>(block_)];
  }
  std::int64_t max_element() const { return max_; }  // largest |element| so far

 private:
  void add_block(bool nan, int scale_exp, std::uint64_t scale_sig);

  int block_ = 32, unit_ = 0;
  bool scalar_ = false, floating_ = false;
  BlockFormat block_format_;
  std::int64_t max_ = 0;
  std::vector<std::int64_t> elements_;     // zero-padded to whole blocks
  std::vector<std::int32_t> element_exp_;  // floating operands only
  std::vector<int> scale_exp_;
  std::vector<std::uint64_t> scale_sig_;
  std::vector<char> nan_;
  // Scalar formats: per code, the element (and its exponent when floating); 1 in nan_code_ for
  // an infinity or NaN. Codes of up to 16 bits.
  std::vector<std::int64_t> code_element_;
  std::vector<std::int32_t> code_exp_;
  std::vector<char> code_nan_;
  std::uint32_t code_mask_ = 0;
};

}  // namespace qarch::numerics
