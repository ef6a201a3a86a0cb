#include "numerics/mac.hpp"

#include <cmath>
#include <limits>

#include "numerics/codec.hpp"
#include "numerics/codec_detail.hpp"

namespace qarch::numerics {

namespace {

using detail::i128;
using detail::u128;

using detail::bit_length;

}  // namespace

ExactValue mitchell_product(double a, double b, int truncation_bits) {
  if (std::isnan(a) || std::isnan(b)) return ExactValue::nan();
  const bool negative = std::signbit(a) != std::signbit(b);
  if (std::isinf(a) || std::isinf(b)) {
    if (a == 0.0 || b == 0.0) return ExactValue::nan();
    return ExactValue::infinity(negative);
  }
  ExactValue p;
  p.negative = negative;
  if (a == 0.0 || b == 0.0) return p;
  const ExactValue ea = ExactValue::from_double(a);
  const ExactValue eb = ExactValue::from_double(b);
  const int k1 = bit_length(ea.significand) - 1;
  const int k2 = bit_length(eb.significand) - 1;
  std::uint64_t x1 = ea.significand - (std::uint64_t{1} << k1);  // fraction x1 = x1 / 2^k1
  std::uint64_t x2 = eb.significand - (std::uint64_t{1} << k2);
  if (truncation_bits > 0) {
    if (k1 > truncation_bits) x1 = (x1 >> (k1 - truncation_bits)) << (k1 - truncation_bits);
    if (k2 > truncation_bits) x2 = (x2 >> (k2 - truncation_bits)) << (k2 - truncation_bits);
  }
  // In units of 2^-(k1+k2): 2^(k1+k2) (x1 + x2) = S, 2^(k1+k2) = P.
  const u128 s = (u128{x1} << k2) + (u128{x2} << k1);
  const u128 one = u128{1} << (k1 + k2);
  u128 m = s < one ? one + s : s << 1;
  int exponent = ea.exponent + eb.exponent;
  const int excess = bit_length(m) - 64;
  if (excess > 0) {  // only for operands wider than 32 significant bits: round to odd
    const bool sticky = (m & ((u128{1} << excess) - 1)) != 0;
    m >>= excess;
    if (sticky) m |= 1u;
    exponent += excess;
  }
  p.significand = static_cast<std::uint64_t>(m);
  p.exponent = exponent;
  return p;
}

Mac::Mac(const MultiplierStyle& style, const Format& weight, const Format& activation,
         const Format& accumulator, std::optional<Overflow> overflow)
    : style_(style), weight_(weight), activation_(activation), accumulator_(accumulator),
      overflow_(overflow) {
  if (auto why = check_mac(style, weight, activation, accumulator)) throw FormatError(*why);
  (void)Accumulator(accumulator, overflow);  // validates the overflow mode
  activation_bits_ = activation.bits();
  weight_mask_ = weight.code_mask();
  activation_mask_ = activation.code_mask();
  build_fast_path();
}

ExactValue Mac::generic_product(std::uint32_t w, std::uint32_t a) const {
  w &= weight_mask_;
  a &= activation_mask_;
  switch (style_.kind()) {
    case MultiplierKind::XnorPopcount:
      // Binary codes are sign bits (0: +1, 1: -1): XNOR gives 1 for a +1 product.
      return ExactValue::from_double(((w ^ a) & 1u) == 0 ? 1.0 : -1.0);
    case MultiplierKind::Mitchell:
      return mitchell_product(decode(weight_, w), decode(activation_, a),
                              style_.truncation_bits());
    case MultiplierKind::Plam:
      return mitchell_product(decode(weight_, w), decode(activation_, a), 0);
    case MultiplierKind::Exact:
    case MultiplierKind::BlockDot:  // element products are exact; block_dot.hpp scales them
    case MultiplierKind::ShiftAdd: break;  // a shift of the activation is the exact product
  }
  return multiply(ExactValue::from_double(decode(weight_, w)),
                  ExactValue::from_double(decode(activation_, a)));
}

ExactValue Mac::product(std::uint32_t weight_code, std::uint32_t activation_code) const {
  return generic_product(weight_code, activation_code);
}

void Mac::mac(Accumulator& acc, std::uint32_t weight_code, std::uint32_t activation_code) const {
  dot(acc, &weight_code, &activation_code, 1);
}

const char* Mac::fast_path_name() const {
  switch (path_) {
    case Path::Generic: return "generic";
    case Path::Integer: return "integer";
    case Path::Float32: return "float32";
    case Path::Quire: return "quire";
    case Path::IntegerTable: return "integer_table";
    case Path::Float32Table: return "float32_table";
    case Path::QuireTable: return "quire_table";
    case Path::MitchellInteger: return "mitchell_integer";
  }
  return "?";
}

}  // namespace qarch::numerics
