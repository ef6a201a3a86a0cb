#pragma once
// Number formats of PE operands and accumulators, parsed from and printed as short strings.
//
// A Format says how a code (an unsigned bit pattern held in a uint32_t) maps to a real value;
// codec.hpp decodes and quantizes. Scales are not part of a format (see quantizer.hpp).
// docs/numerics.md gives the exact semantics of every kind.

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "numerics/block_format.hpp"

namespace qarch::numerics {

// A format string, multiplier style or numerics option that cannot be accepted. The message
// says what was wrong and which forms are accepted.
class FormatError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

enum class FormatKind {
  Int,      // intN: N-bit two's complement integer, N = 1..32
  UInt,     // uintN: N-bit unsigned integer, N = 1..32
  Fixed,    // fixedN_F: N-bit two's complement with F fractional bits (value = code / 2^F)
  Float,    // fp<e,m>, fp16, bf16, fp32, fp8_e5m2 (IEEE-style) and fp8_e4m3 (OCP, no infinities)
  Posit,    // posit<n,es> / positN_ES
  Pow2,     // pow2_B: sign + (B-1)-bit exponent field, field 0 is zero, else +-2^(field-1)
  Binary,   // binary: one bit, 0 -> +1, 1 -> -1
  Ternary,  // ternary: two bits sign-magnitude, 00 -> 0, 01 -> +1, 11 -> -1, 10 -> -0
  Quire,    // quire<n,es> / quireN_ES: exact fixed-point accumulator of posit<n,es> products
};

class Format {
 public:
  // Parses one of the spellings listed by format_examples() (and the general forms intN, uintN,
  // fixedN_F, fp<e,m>, posit<n,es>, positN_ES, pow2_B, quire<n,es>, quireN_ES). Case-sensitive,
  // no blanks, no leading zeros. Throws FormatError.
  static Format parse(std::string_view text);

  // Factories with the same range checks as parse(); they throw FormatError.
  static Format make_int(int bits);
  static Format make_uint(int bits);
  static Format make_fixed(int bits, int fraction_bits);
  static Format make_float(int exponent_bits, int mantissa_bits);  // IEEE-style fp<e,m>
  static Format make_fp8_e4m3();
  static Format make_posit(int bits, int es);
  static Format make_pow2(int bits);
  static Format make_binary();
  static Format make_ternary();
  static Format make_quire(int posit_bits, int es);
  // A block-scaled format (block_format.hpp) as a PE operand: kind() and bits() are those of its
  // element (mxfp4: a 4-bit float, e = 2, m = 1; mxint8, int4_g32: integers); the shared scale
  // per block_size() elements along the reduction axis is extra storage. Codes of such a format
  // are not scalar values: codec.hpp refuses them, block_dot.hpp executes them.
  static Format make_block(const BlockFormat& block);

  // The spelling this format was parsed from (or the canonical one for factories):
  // to_string(parse(s)) == s for every accepted s.
  std::string to_string() const;

  FormatKind kind() const { return kind_; }
  // Storage bits per value: int8 8, fp<e,m> 1+e+m, posit<n,es> n, pow2_B B, binary 1,
  // ternary 2; quire<n,es> is 32 + 4(n-2)2^es bits (a 512-bit quire for posit<32,2>).
  int bits() const { return bits_; }
  bool is_integer_like() const;   // int, uint, fixed
  bool is_integer_valued() const;  // every value an integer: int, uint, pow2, binary, ternary
  bool is_signed() const;          // everything but uint
  bool is_storage_format() const { return kind_ != FormatKind::Quire; }  // has codes

  bool is_block_scaled() const { return block_ > 0; }
  std::optional<BlockFormat> block_format() const;  // empty for scalar formats
  int block_size() const { return block_; }          // elements per shared scale; 0 when scalar
  int scale_bits() const;                            // bits of one shared scale; 0 when scalar
  // Storage bits per element including its share of the scale (mxfp4 4.25, nvfp4 4.5).
  double bits_per_element() const { return block_ > 0 ? bits_ + static_cast<double>(scale_bits()) / block_ : bits_; }

  int fraction_bits() const;  // fixed: F; int/uint: 0; others: 0
  int exponent_bits() const;  // float: e; pow2: B-1; others: 0
  int mantissa_bits() const;  // float: m; others: 0
  int exponent_bias() const;  // float: 2^(e-1)-1; others: 0
  int posit_bits() const;     // posit and quire: n; others: 0
  int posit_es() const;       // posit and quire: es; others: 0
  bool has_infinity() const;  // IEEE-style floats
  bool has_nan() const;       // floats (NaN) and posits (NaR)
  bool is_ocp_e4m3() const { return kind_ == FormatKind::Float && finite_only_ && block_ == 0; }
  bool is_fp32() const;  // IEEE binary32 (fp32, fp<8,23>): a C++ float's own arithmetic

  // Mask of the low bits() bits (storage formats only).
  std::uint32_t code_mask() const;
  // Number of distinct codes, 2^bits() (storage formats only).
  std::uint64_t code_count() const { return std::uint64_t{1} << bits_; }

  // Same value set and encoding; the spelling is ignored (fp16 == fp<5,10>).
  friend bool operator==(const Format& a, const Format& b) {
    return a.kind_ == b.kind_ && a.bits_ == b.bits_ && a.p1_ == b.p1_ && a.p2_ == b.p2_ &&
           a.finite_only_ == b.finite_only_ && a.block_kind_ == b.block_kind_ && a.block_ == b.block_ &&
           a.fp16_scale_ == b.fp16_scale_;
  }
  friend bool operator!=(const Format& a, const Format& b) { return !(a == b); }

 private:
  // How the format was written, so that to_string() gives it back.
  enum class Spelling { Plain, Named, Angle, Underscore };

  Format(FormatKind kind, int bits, int p1, int p2, bool finite_only, Spelling spelling)
      : kind_(kind), bits_(bits), p1_(p1), p2_(p2), finite_only_(finite_only),
        spelling_(spelling) {}

  FormatKind kind_;
  int bits_;
  int p1_;  // fixed: F; float: e; posit/quire: n; pow2: B-1
  int p2_;  // float: m; posit/quire: es
  bool finite_only_;  // fp8_e4m3 and block-format float elements: no infinities
  Spelling spelling_;
  BlockKind block_kind_ = BlockKind::Mx;  // meaningful when block_ > 0
  int block_ = 0;
  bool fp16_scale_ = false;
};

// Bits that `elements` values of `format` occupy densely packed, with one scale per block of a
// block-scaled format (the last block's scale counted whole).
inline std::int64_t stored_bits(const Format& format, std::int64_t elements) {
  if (elements <= 0) return 0;
  const std::int64_t scales = format.block_size() > 0 ? (elements + format.block_size() - 1) / format.block_size() : 0;
  return elements * format.bits() + scales * format.scale_bits();
}

// Example spellings for help texts and "did you mean" suggestions.
std::vector<std::string> format_examples();

// One sentence listing the accepted forms (used in error messages and help).
std::string accepted_format_forms();

}  // namespace qarch::numerics
