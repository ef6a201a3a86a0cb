#include "numerics/block_dot.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>

#include "numerics/codec.hpp"
#include "numerics/codec_detail.hpp"

namespace qarch::numerics {

namespace {

using detail::bit_length;
using detail::i128;
using detail::u128;

// m x 2^exp (m > 0 a magnitude), with `negative` its sign, rounded to odd at 53 bits: a dropped
// 1 is kept in the last bit, so a later rounding to a coarser grid is not a double rounding.
double round_to_odd(u128 m, bool negative, int exp) {
  if (m == 0) return 0.0;
  const int excess = bit_length(m) - 53;
  if (excess > 0) {
    const bool sticky = (m & ((u128{1} << excess) - 1)) != 0;
    m >>= excess;
    m |= sticky ? 1 : 0;
    exp += excess;
  }
  const double d = std::ldexp(static_cast<double>(static_cast<std::uint64_t>(m)), exp);
  return negative ? -d : d;
}

double round_to_odd(i128 v, int exp) {
  return round_to_odd(v < 0 ? -static_cast<u128>(v) : static_cast<u128>(v), v < 0, exp);
}

// A 640-bit two's complement integer, for the block sums of a floating operand, which int128
// cannot hold: products of at most 2^59 (an 11-bit significand times a 48-bit element) whose
// exponents spread over up to 253 binades (506 for two floating operands), 4096 of them (2^12),
// times two scale significands (at most 28 bits each, NVFP4's) stay below 2^(506 + 59 + 12 + 56).
class WideInteger {
 public:
  static constexpr int kLimbs = 10;

  void add(i128 v, int shift) {  // += v x 2^shift, 0 <= shift < 512
    const auto lo = static_cast<std::uint64_t>(v);
    const auto hi = static_cast<std::uint64_t>(static_cast<u128>(v) >> 64);
    const std::uint64_t ext = v < 0 ? ~std::uint64_t{0} : 0;
    const auto source = [&](int j) { return j < 0 ? std::uint64_t{0} : j == 0 ? lo : j == 1 ? hi : ext; };
    const int q = shift / 64, r = shift % 64;
    std::uint64_t carry = 0;
    for (int i = 0; i < kLimbs; ++i) {
      const int j = i - q;
      const std::uint64_t t = r == 0 ? source(j) : (source(j) << r) | (source(j - 1) >> (64 - r));
      const u128 s = static_cast<u128>(limb_[i]) + t + carry;
      limb_[i] = static_cast<std::uint64_t>(s);
      carry = static_cast<std::uint64_t>(s >> 64);
    }
  }

  // The value times k (k >= 0), rounded to odd at 53 bits, x 2^exp.
  double scaled_round_to_odd(std::uint64_t k1, std::uint64_t k2, int exp) {
    const bool negative = (limb_[kLimbs - 1] >> 63) != 0;
    if (negative) {  // magnitude: invert and add one
      std::uint64_t carry = 1;
      for (std::uint64_t& l : limb_) {
        const u128 s = static_cast<u128>(~l) + carry;
        l = static_cast<std::uint64_t>(s);
        carry = static_cast<std::uint64_t>(s >> 64);
      }
    }
    for (const std::uint64_t k : {k1, k2}) {
      std::uint64_t carry = 0;
      for (std::uint64_t& l : limb_) {
        const u128 p = static_cast<u128>(l) * k + carry;
        l = static_cast<std::uint64_t>(p);
        carry = static_cast<std::uint64_t>(p >> 64);
      }
    }
    int top = kLimbs - 1;
    while (top > 0 && limb_[top] == 0) --top;
    if (top <= 1) return round_to_odd((static_cast<u128>(limb_[1]) << 64) | limb_[0], negative, exp);
    // The top 64 bits and a sticky bit for everything below: round to odd composes.
    const int length = 64 * top + 64 - __builtin_clzll(limb_[top]);
    const int shift = length - 64, q = shift / 64, r = shift % 64;
    std::uint64_t bits = r == 0 ? limb_[q] : (limb_[q] >> r) | (limb_[q + 1] << (64 - r));
    bool sticky = r != 0 && (limb_[q] & ((std::uint64_t{1} << r) - 1)) != 0;
    for (int i = 0; i < q; ++i) sticky = sticky || limb_[i] != 0;
    return round_to_odd(static_cast<u128>(bits | (sticky ? 1 : 0)), negative, exp + shift);
  }

 private:
  std::uint64_t limb_[kLimbs] = {};
};

// A pair with a floating operand: each product has its own exponent; aligned to the smallest.
double floating_pair(const BlockOperand& a, std::size_t ia, const BlockOperand& b, std::size_t ib) {
  const std::int64_t* x = a.elements(ia);
  const std::int64_t* y = b.elements(ib);
  const std::int32_t* ex = a.floating() ? a.element_exponents(ia) : nullptr;
  const std::int32_t* ey = b.floating() ? b.element_exponents(ib) : nullptr;
  const int n = a.block_size();
  const auto exponent = [&](int i) {
    return (ex ? ex[i] : a.unit_exponent()) + (ey ? ey[i] : b.unit_exponent());
  };
  int base = std::numeric_limits<int>::max(), top = std::numeric_limits<int>::min();
  for (int i = 0; i < n; ++i) {
    if (x[i] == 0 || y[i] == 0) continue;
    base = std::min(base, exponent(i));
    top = std::max(top, exponent(i));
  }
  if (base == std::numeric_limits<int>::max()) return 0.0;
  const std::uint64_t sa = a.scale_significand(ia), sb = b.scale_significand(ib);
  const int exp = base + a.exponent(ia) + b.exponent(ib);
  // Products below 2^59, 4096 of them: int128 holds the aligned sum times the scales when the
  // exponents spread over few binades (the common case).
  if (top - base + 59 + 12 + bit_length(sa) + bit_length(sb) <= 126) {
    i128 sum = 0;
    for (int i = 0; i < n; ++i)
      if (x[i] != 0 && y[i] != 0) sum += static_cast<i128>(x[i]) * y[i] * (i128{1} << (exponent(i) - base));
    return round_to_odd(sum * static_cast<i128>(static_cast<u128>(sa) * sb), exp);
  }
  WideInteger sum;
  for (int i = 0; i < n; ++i)
    if (x[i] != 0 && y[i] != 0) sum.add(static_cast<i128>(x[i]) * y[i], exponent(i) - base);
  return sum.scaled_round_to_odd(sa, sb, exp);
}

const Format& accumulator_format(const Format& f) {
  if (f.is_block_scaled()) throw FormatError(f.to_string() + " is block-scaled and cannot be an accumulator");
  if (f.kind() != FormatKind::Float && f.kind() != FormatKind::Fixed)
    throw FormatError("a block dot product accumulates in a float (fp32) or a fixed point (fixedN_F), not " +
                      f.to_string());
  return f;
}

}  // namespace

double block_pair_exact(const BlockOperand& a, std::size_t ia, const BlockOperand& b, std::size_t ib) {
  if (a.block_size() != b.block_size()) throw std::invalid_argument("block_dot: operands of different block sizes");
  if (a.nan(ia) || b.nan(ib)) return std::numeric_limits<double>::quiet_NaN();
  if (a.floating() || b.floating()) return floating_pair(a, ia, b, ib);
  const std::int64_t* x = a.elements(ia);
  const std::int64_t* y = b.elements(ib);
  const int n = a.block_size();
  const u128 bound = static_cast<u128>(a.max_element()) * static_cast<u128>(b.max_element()) * static_cast<u128>(n);
  i128 sum = 0;
  if (bound < (u128{1} << 62)) {  // the common case: 64-bit multiply-adds
    std::int64_t s = 0;
    for (int i = 0; i < n; ++i) s += x[i] * y[i];
    sum = s;
  } else {  // elements of up to 48 bits, 4096 of them: below 2^109
    for (int i = 0; i < n; ++i) sum += static_cast<i128>(x[i]) * y[i];
  }
  const int exp = a.exponent(ia) + b.exponent(ib) + a.unit_exponent() + b.unit_exponent();
  const std::uint64_t sa = a.scale_significand(ia), sb = b.scale_significand(ib);
  if (sa == 1 && sb == 1) return round_to_odd(sum, exp);  // MX and scalar operands
  // Scales with significands are NVFP4's (28 bits, elements up to 12) and groups' (24 bits,
  // elements up to 2^7), so |sum| x sa x sb < 2^(48 + 7 + 12 + 24) (beside a scalar of up to 2^48)
  // or 2^(2 x 7 + 12 + 2 x 28): int128 holds the product.
  return round_to_odd(sum * static_cast<i128>(static_cast<u128>(sa) * sb), exp);
}

BlockAccumulator::BlockAccumulator(const Format& format, std::optional<Overflow> overflow)
    : format_(accumulator_format(format)), adder_(format_, overflow), overflow_(adder_.overflow_mode()) {
  fp32_infinity_ = format.is_fp32() && overflow_ == Overflow::Infinity;
}

double BlockAccumulator::round(double exact) {
  if (std::isnan(exact)) return exact;
  if (fp32_infinity_) {  // exact is rounded to odd at 53 bits: one correct rounding to float
    const auto f = static_cast<float>(exact);
    if (std::isinf(f)) ++overflows_;
    return static_cast<double>(f);
  }
  const Encoded e = encode(format_, exact, Rounding::NearestEven, overflow_);
  if (e.overflow) ++overflows_;
  return decode(format_, e.code);
}

double BlockAccumulator::add(double sum, double value) {
  if (std::isnan(sum) || std::isnan(value)) return std::numeric_limits<double>::quiet_NaN();
  if (fp32_infinity_) {
    // Two floats added in double and rounded to float: correctly rounded (double has more than
    // 2 x 24 + 2 bits), as an fp32 adder.
    const auto s = static_cast<float>(sum + value);
    if (std::isinf(s) && std::isfinite(sum) && std::isfinite(value)) ++overflows_;
    return static_cast<double>(s);
  }
  adder_.reset();
  adder_.add(sum);
  adder_.add(value);
  overflows_ += adder_.overflow_count();
  return adder_.value();
}

double BlockAccumulator::dot(const BlockOperand& a, std::size_t first_a, const BlockOperand& b, std::size_t first_b,
                             std::size_t count, double start) {
  double sum = start;
  for (std::size_t j = 0; j < count; ++j) sum = add(sum, round(block_pair_exact(a, first_a + j, b, first_b + j)));
  return sum;
}

float block_dot_fp32(const BlockOperand& a, const BlockOperand& b, float initial) {
  if (a.block_size() != b.block_size() || a.blocks() != b.blocks())
    throw std::invalid_argument("block_dot: operands of different block sizes or lengths");
  static const Format fp32 = Format::parse("fp32");
  BlockAccumulator acc(fp32);
  return static_cast<float>(acc.dot(a, 0, b, 0, a.blocks(), static_cast<double>(initial)));
}

}  // namespace qarch::numerics
