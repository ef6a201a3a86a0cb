#include "numerics/block_operand.hpp"

#include <cmath>
#include <cstdlib>
#include <stdexcept>

#include "numerics/codec.hpp"
#include "numerics/exact_value.hpp"

namespace qarch::numerics {

namespace {

constexpr int kMaxBlock = 4096;  // BlockFormat::parse's limit, which block_dot.cpp's wide sums rely on

// A positive finite value as significand x 2^exponent with an odd significand (0 x 2^0 for 0).
void split(double value, std::uint64_t& significand, int& exponent) {
  const ExactValue v = ExactValue::from_double(value);
  significand = v.significand;
  exponent = v.significand == 0 ? 0 : v.exponent;
}

// NVFP4's E2M1 elements in units of 2^-1, by magnitude code (0, 0.5, 1, 1.5, 2, 3, 4, 6).
constexpr std::int64_t kE2m1Units[8] = {0, 1, 2, 3, 4, 6, 8, 12};

}  // namespace

BlockOperand::BlockOperand(const BlockFormat& format) : block_(format.block), block_format_(format) {
  switch (format.kind) {
    case BlockKind::Mx: {
      const MiniFloat m = format.minifloat();
      unit_ = format.element == "int8" ? -6 : 1 - m.bias - m.mantissa_bits;
      break;
    }
    case BlockKind::Nvfp4: unit_ = -1; break;
    case BlockKind::GroupInt: unit_ = 0; break;
  }
}

BlockOperand::BlockOperand(const BlockFormat& format, const std::vector<QuantizedBlock>& blocks)
    : BlockOperand(format) {
  for (const QuantizedBlock& q : blocks) append(q);
}

BlockOperand::BlockOperand(const Format& scalar, int block_size) : block_(block_size), scalar_(true) {
  if (block_size < 1 || block_size > kMaxBlock)
    throw std::invalid_argument("block_dot: blocks of 1 to 4096 elements, not " + std::to_string(block_size));
  const FormatKind kind = scalar.kind();
  if (scalar.is_block_scaled() || scalar.bits() > 16 ||
      (kind != FormatKind::Int && kind != FormatKind::UInt && kind != FormatKind::Fixed && kind != FormatKind::Float))
    throw std::invalid_argument(
        "block_dot: a scalar operand is an integer, fixed-point or float of up to 16 bits, not " + scalar.to_string());
  // The smallest step: a float's smallest subnormal, a fixed point's 2^-F.
  unit_ = kind == FormatKind::Float ? 1 - scalar.exponent_bias() - scalar.mantissa_bits() : -scalar.fraction_bits();
  // One unit for all values needs max / min_positive < 2^48 (fp16: 2^40; bf16: 2^261).
  floating_ = kind == FormatKind::Float && std::ldexp(max_value(scalar), -unit_) >= std::ldexp(1.0, 48);
  code_mask_ = scalar.code_mask();
  code_element_.resize(static_cast<std::size_t>(scalar.code_count()));
  code_exp_.assign(code_element_.size(), 0);
  code_nan_.assign(code_element_.size(), 0);
  for (std::uint64_t c = 0; c < scalar.code_count(); ++c) {
    const double v = decode(scalar, static_cast<std::uint32_t>(c));
    if (!std::isfinite(v)) {
      code_nan_[c] = 1;
      continue;
    }
    if (floating_) {
      std::uint64_t significand = 0;
      int exponent = 0;
      split(std::fabs(v), significand, exponent);
      code_element_[c] = (v < 0 ? -1 : 1) * static_cast<std::int64_t>(significand);
      code_exp_[c] = exponent;
    } else {
      code_element_[c] = static_cast<std::int64_t>(std::ldexp(v, -unit_));  // exact: v is a multiple of 2^unit
    }
  }
}

BlockOperand::BlockOperand(const Format& scalar, int block_size, const std::uint32_t* codes, std::size_t n)
    : BlockOperand(scalar, block_size) {
  append_codes(codes, n);
}

void BlockOperand::clear() {
  elements_.clear();
  element_exp_.clear();
  scale_exp_.clear();
  scale_sig_.clear();
  nan_.clear();
}

void BlockOperand::add_block(bool nan, int scale_exp, std::uint64_t scale_sig) {
  nan_.push_back(nan ? 1 : 0);
  scale_exp_.push_back(scale_exp);
  scale_sig_.push_back(scale_sig);
  elements_.resize(elements_.size() + static_cast<std::size_t>(block_), 0);
  if (floating_) element_exp_.resize(elements_.size(), 0);
}

void BlockOperand::append(const QuantizedBlock& q) {
  if (scalar_) throw std::invalid_argument("BlockOperand::append takes blocks of a block format");
  // An fp16 group scale past 65504 is infinite: its values decode to 0 x inf, NaN.
  if (q.nan || !std::isfinite(q.scale) || !std::isfinite(q.tensor_scale)) {
    add_block(true, 0, 1);
    return;
  }
  std::uint64_t sig = 1;
  int exp = q.scale_exp;
  if (block_format_.kind == BlockKind::Nvfp4) {  // sb (4 bits) x s_t (24 bits): exact in 64 bits
    std::uint64_t sb = 0, st = 0;
    int eb = 0, et = 0;
    split(q.scale, sb, eb);
    split(q.tensor_scale, st, et);
    sig = sb * st;
    exp = eb + et;
  } else if (block_format_.kind == BlockKind::GroupInt) {
    split(q.scale, sig, exp);
  }
  add_block(false, exp, sig);
  std::int64_t* out = &elements_[elements_.size() - static_cast<std::size_t>(block_)];
  const std::size_t n = std::min(q.codes.size(), static_cast<std::size_t>(block_));
  const int bits = block_format_.element_bits;
  for (std::size_t i = 0; i < n; ++i) {
    std::int64_t e = 0;
    switch (block_format_.kind) {
      case BlockKind::Mx:  // the decoded value without its block's scale, in units of 2^unit
        e = static_cast<std::int64_t>(std::ldexp(q.values[i], -q.scale_exp - unit_));
        break;
      case BlockKind::Nvfp4: e = ((q.codes[i] & 8u) != 0 ? -1 : 1) * kE2m1Units[q.codes[i] & 7u]; break;
      case BlockKind::GroupInt: {  // two's complement code, sign-extended
        const auto c = static_cast<std::int64_t>(q.codes[i]);
        e = c >= (std::int64_t{1} << (bits - 1)) ? c - (std::int64_t{1} << bits) : c;
        break;
      }
    }
    out[i] = e;
    max_ = std::max<std::int64_t>(max_, std::abs(e));
  }
}

void BlockOperand::append_codes(const std::uint32_t* codes, std::size_t n) {
  if (!scalar_) throw std::invalid_argument("BlockOperand::append_codes takes codes of a scalar format");
  const auto block = static_cast<std::size_t>(block_);
  for (std::size_t b = 0; b < n; b += block) {
    const std::size_t count = std::min(block, n - b);
    bool nan = false;
    for (std::size_t i = 0; i < count; ++i) nan = nan || code_nan_[codes[b + i] & code_mask_] != 0;
    add_block(nan, 0, 1);
    if (nan) continue;
    const std::size_t first = elements_.size() - block;
    for (std::size_t i = 0; i < count; ++i) {
      const std::uint32_t c = codes[b + i] & code_mask_;
      elements_[first + i] = code_element_[c];
      if (floating_) element_exp_[first + i] = code_exp_[c];
      max_ = std::max<std::int64_t>(max_, std::abs(code_element_[c]));
    }
  }
}

double BlockOperand::scale(std::size_t b) const {
  return std::ldexp(static_cast<double>(scale_sig_[b]), scale_exp_[b]);
}

}  // namespace qarch::numerics
