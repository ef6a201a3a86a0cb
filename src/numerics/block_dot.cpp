#include "numerics/block_dot.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>

namespace qarch::numerics {

namespace {

__extension__ using Int128 = __int128;
__extension__ using UInt128 = unsigned __int128;

// `v` x 2^exp rounded once to fp32: to 53 bits with round-to-odd, then to fp32 (exact for any
// coarser grid, Boldo and Melquiond 2008), so there is no double rounding.
float to_fp32(Int128 v, int exp) {
  if (v == 0) return 0.0f;
  const bool negative = v < 0;
  auto m = static_cast<UInt128>(negative ? -v : v);
  int shift = 0;
  while ((m >> 53) != 0) {
    const bool sticky = (m & 1) != 0;
    m >>= 1;
    m |= sticky ? 1 : 0;  // round to odd: keep a dropped 1 in the last bit
    ++shift;
  }
  const double d = std::ldexp(static_cast<double>(static_cast<std::uint64_t>(m)), exp + shift);
  return static_cast<float>(negative ? -d : d);
}

}  // namespace

BlockOperand::BlockOperand(const BlockFormat& format, const std::vector<QuantizedBlock>& blocks)
    : block_(format.block) {
  if (format.kind != BlockKind::Mx) throw std::invalid_argument("block_dot takes MX formats, not " + format.to_string());
  const bool integer = format.element == "int8";
  const MiniFloat m = format.minifloat();
  unit_ = integer ? -6 : 1 - m.bias - m.mantissa_bits;
  elements_.assign(blocks.size() * static_cast<std::size_t>(block_), 0);
  for (std::size_t b = 0; b < blocks.size(); ++b) {
    const QuantizedBlock& q = blocks[b];
    exponents_.push_back(q.scale_exp);
    nan_.push_back(q.nan ? 1 : 0);
    if (q.nan) continue;
    for (std::size_t i = 0; i < q.values.size() && i < static_cast<std::size_t>(block_); ++i) {
      // The element alone: the decoded value without its block's scale, in units of 2^unit.
      const double element = std::ldexp(q.values[i], -q.scale_exp - unit_);
      const auto n = static_cast<std::int64_t>(element);
      elements_[b * static_cast<std::size_t>(block_) + i] = n;
      max_ = std::max<std::int64_t>(max_, std::abs(n));
    }
  }
}

float block_pair_fp32(const BlockOperand& a, const BlockOperand& b, std::size_t block) {
  const std::int64_t* x = a.elements(block);
  const std::int64_t* y = b.elements(block);
  const int n = a.block_size();
  Int128 sum = 0;
  if (static_cast<Int128>(a.max_element()) * b.max_element() * n < (Int128{1} << 62)) {  // fits 64 bits
    std::int64_t s = 0;
    for (int i = 0; i < n; ++i) s += x[i] * y[i];
    sum = s;
  } else {
    for (int i = 0; i < n; ++i) sum += static_cast<Int128>(x[i]) * y[i];
  }
  return to_fp32(sum, a.exponent(block) + b.exponent(block) + a.unit_exponent() + b.unit_exponent());
}

float block_dot_fp32(const BlockOperand& a, const BlockOperand& b, float initial) {
  if (a.block_size() != b.block_size() || a.blocks() != b.blocks())
    throw std::invalid_argument("block_dot: operands of different block sizes or lengths");
  float acc = initial;
  for (std::size_t k = 0; k < a.blocks(); ++k) {
    if (a.nan(k) || b.nan(k)) return std::numeric_limits<float>::quiet_NaN();
    acc += block_pair_fp32(a, b, k);
  }
  return acc;
}

}  // namespace qarch::numerics
