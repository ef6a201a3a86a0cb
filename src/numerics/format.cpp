#include "numerics/format.hpp"

#include <optional>

#include "numerics/text.hpp"

namespace qarch::numerics {

namespace {

constexpr int kMaxBits = 32;

[[noreturn]] void fail(std::string_view text, const std::string& why) {
  throw FormatError("invalid number format '" + std::string(text) + "': " + why);
}

void check_range(std::string_view text, const char* what, int value, int lo, int hi) {
  if (value < lo || value > hi) {
    fail(text, std::string(what) + " must be " + std::to_string(lo) + ".." + std::to_string(hi) +
                   ", got " + std::to_string(value));
  }
}

// Parses "<a,b>" (no blanks) at the front of rest; the whole rest must be consumed.
std::optional<std::pair<int, int>> take_angle_pair(std::string_view rest) {
  if (!take_prefix(rest, "<")) return std::nullopt;
  const auto a = take_number(rest);
  if (!a || !take_prefix(rest, ",")) return std::nullopt;
  const auto b = take_number(rest);
  if (!b || rest != ">") return std::nullopt;
  return std::make_pair(*a, *b);
}

// Parses "A_B" (the whole of rest).
std::optional<std::pair<int, int>> take_underscore_pair(std::string_view rest) {
  const auto a = take_number(rest);
  if (!a || !take_prefix(rest, "_")) return std::nullopt;
  const auto b = take_number(rest);
  if (!b || !rest.empty()) return std::nullopt;
  return std::make_pair(*a, *b);
}

std::optional<int> take_whole_number(std::string_view rest) {
  const auto n = take_number(rest);
  if (!n || !rest.empty()) return std::nullopt;
  return n;
}

[[noreturn]] void fail_unknown(std::string_view text) {
  fail(text, "expected " + accepted_format_forms() + did_you_mean(text, format_examples()));
}

}  // namespace

std::string accepted_format_forms() {
  return "intN or uintN (N = 1..32), fixedN_F (N = 1..32 bits, F = 0..N fractional), fp16, "
         "bf16, fp32, fp<e,m> (e = 2..8, m >= 1, 1+e+m <= 32), fp8_e4m3, fp8_e5m2, "
         "posit<n,es> or positN_ES (n = 2..32, es = 0..4), pow2_B (B = 2..8), binary, ternary, "
         "the accumulator quire<n,es> / quireN_ES, or a block-scaled format (mxfp8_e4m3, mxfp8_e5m2, "
         "mxfp6_e3m2, mxfp6_e2m3, mxfp4_e2m1 or mxfp4, mxint8, with _b<N> for N-element blocks; nvfp4; "
         "int<b>_g<G> and int<b>_g<G>_fp16)";
}

std::vector<std::string> format_examples() {
  return {"int8",     "uint4",      "fixed16_8", "fp16",    "bf16",       "fp32",
          "fp<5,10>", "fp8_e4m3",   "fp8_e5m2",  "posit<8,1>", "posit8_1", "pow2_4",
          "binary",   "ternary",    "int32",     "quire<8,1>"};
}

Format Format::make_int(int bits) {
  check_range("int" + std::to_string(bits), "the bit width", bits, 1, kMaxBits);
  return Format(FormatKind::Int, bits, 0, 0, false, Spelling::Plain);
}

Format Format::make_uint(int bits) {
  check_range("uint" + std::to_string(bits), "the bit width", bits, 1, kMaxBits);
  return Format(FormatKind::UInt, bits, 0, 0, false, Spelling::Plain);
}

Format Format::make_fixed(int bits, int fraction_bits) {
  const std::string text = "fixed" + std::to_string(bits) + "_" + std::to_string(fraction_bits);
  check_range(text, "the bit width", bits, 1, kMaxBits);
  check_range(text, "the number of fractional bits", fraction_bits, 0, bits);
  return Format(FormatKind::Fixed, bits, fraction_bits, 0, false, Spelling::Plain);
}

Format Format::make_float(int exponent_bits, int mantissa_bits) {
  const std::string text =
      "fp<" + std::to_string(exponent_bits) + "," + std::to_string(mantissa_bits) + ">";
  check_range(text, "the number of exponent bits", exponent_bits, 2, 8);
  check_range(text, "the number of mantissa bits", mantissa_bits, 1, kMaxBits - 1 - exponent_bits);
  return Format(FormatKind::Float, 1 + exponent_bits + mantissa_bits, exponent_bits,
                mantissa_bits, false, Spelling::Angle);
}

Format Format::make_fp8_e4m3() {
  return Format(FormatKind::Float, 8, 4, 3, true, Spelling::Named);
}

Format Format::make_posit(int bits, int es) {
  const std::string text = "posit<" + std::to_string(bits) + "," + std::to_string(es) + ">";
  check_range(text, "the posit width n", bits, 2, kMaxBits);
  check_range(text, "the exponent size es", es, 0, 4);
  return Format(FormatKind::Posit, bits, bits, es, false, Spelling::Angle);
}

Format Format::make_pow2(int bits) {
  check_range("pow2_" + std::to_string(bits), "the bit width B", bits, 2, 8);
  return Format(FormatKind::Pow2, bits, bits - 1, 0, false, Spelling::Plain);
}

Format Format::make_binary() { return Format(FormatKind::Binary, 1, 0, 0, false, Spelling::Plain); }

Format Format::make_ternary() {
  return Format(FormatKind::Ternary, 2, 0, 0, false, Spelling::Plain);
}

Format Format::make_quire(int posit_bits, int es) {
  const std::string text = "quire<" + std::to_string(posit_bits) + "," + std::to_string(es) + ">";
  check_range(text, "the posit width n", posit_bits, 2, kMaxBits);
  check_range(text, "the exponent size es", es, 0, 4);
  const int bits = 32 + 4 * (posit_bits - 2) * (1 << es);
  return Format(FormatKind::Quire, bits, posit_bits, es, false, Spelling::Angle);
}

Format Format::make_block(const BlockFormat& block) {
  Format f = make_int(block.element_bits);
  if (block.kind != BlockKind::GroupInt && block.element != "int8") {
    const MiniFloat m = block.minifloat();
    f = Format(FormatKind::Float, block.element_bits, m.exponent_bits, m.mantissa_bits, true, Spelling::Plain);
  }
  f.block_kind_ = block.kind;
  f.block_ = block.block;
  f.fp16_scale_ = block.fp16_scale;
  return f;
}

std::optional<BlockFormat> Format::block_format() const {
  if (block_ == 0) return std::nullopt;
  BlockFormat b;
  b.kind = block_kind_;
  b.element = kind_ == FormatKind::Int ? "int" + std::to_string(bits_) : "e" + std::to_string(p1_) + "m" + std::to_string(p2_);
  b.element_bits = bits_;
  b.block = block_;
  b.fp16_scale = fp16_scale_;
  return b;
}

int Format::scale_bits() const { return block_ == 0 ? 0 : block_format()->scale_bits(); }

Format Format::parse(std::string_view text) {
  if (const auto block = BlockFormat::parse(text)) {
    Format f = make_block(*block);
    if (text == "mxfp4") f.spelling_ = Spelling::Named;  // the alias of mxfp4_e2m1, kept as written
    return f;
  }
  // Named floats first: they share prefixes with the general forms.
  if (text == "fp16" || text == "bf16" || text == "fp32" || text == "fp8_e5m2") {
    Format f = text == "fp16" ? make_float(5, 10)
               : text == "bf16" ? make_float(8, 7)
               : text == "fp32" ? make_float(8, 23)
                                : make_float(5, 2);
    f.spelling_ = Spelling::Named;
    return f;
  }
  if (text == "fp8_e4m3") return make_fp8_e4m3();
  if (text == "binary") return make_binary();
  if (text == "ternary") return make_ternary();

  std::string_view rest = text;
  if (take_prefix(rest, "uint")) {
    if (const auto n = take_whole_number(rest)) return make_uint(*n);
    fail_unknown(text);
  }
  if (take_prefix(rest, "int")) {
    if (const auto n = take_whole_number(rest)) return make_int(*n);
    fail_unknown(text);
  }
  if (take_prefix(rest, "fixed")) {
    if (const auto p = take_underscore_pair(rest)) return make_fixed(p->first, p->second);
    fail_unknown(text);
  }
  if (take_prefix(rest, "pow2_")) {
    if (const auto n = take_whole_number(rest)) return make_pow2(*n);
    fail_unknown(text);
  }
  if (take_prefix(rest, "fp")) {
    if (const auto p = take_angle_pair(rest)) return make_float(p->first, p->second);
    fail_unknown(text);
  }
  const bool posit = take_prefix(rest, "posit");
  if (posit || take_prefix(rest, "quire")) {
    const auto make = posit ? &Format::make_posit : &Format::make_quire;
    if (const auto p = take_angle_pair(rest)) return make(p->first, p->second);
    if (const auto p = take_underscore_pair(rest)) {
      Format f = make(p->first, p->second);
      f.spelling_ = Spelling::Underscore;
      return f;
    }
  }
  fail_unknown(text);
}

std::string Format::to_string() const {
  if (block_ > 0) return spelling_ == Spelling::Named ? "mxfp4" : block_format()->to_string();
  const std::string a = std::to_string(p1_);
  const std::string b = std::to_string(p2_);
  switch (kind_) {
    case FormatKind::Int: return "int" + std::to_string(bits_);
    case FormatKind::UInt: return "uint" + std::to_string(bits_);
    case FormatKind::Fixed: return "fixed" + std::to_string(bits_) + "_" + a;
    case FormatKind::Float:
      if (finite_only_) return "fp8_e4m3";
      if (spelling_ == Spelling::Named) {
        if (p1_ == 5 && p2_ == 10) return "fp16";
        if (p1_ == 8 && p2_ == 7) return "bf16";
        if (p1_ == 8 && p2_ == 23) return "fp32";
        if (p1_ == 5 && p2_ == 2) return "fp8_e5m2";
      }
      return "fp<" + a + "," + b + ">";
    case FormatKind::Posit:
    case FormatKind::Quire: {
      const char* name = kind_ == FormatKind::Posit ? "posit" : "quire";
      if (spelling_ == Spelling::Underscore) return name + a + "_" + b;
      return name + ("<" + a + "," + b + ">");
    }
    case FormatKind::Pow2: return "pow2_" + std::to_string(bits_);
    case FormatKind::Binary: return "binary";
    case FormatKind::Ternary: return "ternary";
  }
  return "?";
}

bool Format::is_integer_like() const {
  return kind_ == FormatKind::Int || kind_ == FormatKind::UInt || kind_ == FormatKind::Fixed;
}

bool Format::is_integer_valued() const {
  return kind_ == FormatKind::Int || kind_ == FormatKind::UInt || kind_ == FormatKind::Pow2 ||
         kind_ == FormatKind::Binary || kind_ == FormatKind::Ternary ||
         (kind_ == FormatKind::Fixed && p1_ == 0);
}

bool Format::is_signed() const { return kind_ != FormatKind::UInt; }

bool Format::is_fp32() const {
  return kind_ == FormatKind::Float && !is_ocp_e4m3() && exponent_bits() == 8 && mantissa_bits() == 23;
}

int Format::fraction_bits() const { return kind_ == FormatKind::Fixed ? p1_ : 0; }

int Format::exponent_bits() const {
  return kind_ == FormatKind::Float || kind_ == FormatKind::Pow2 ? p1_ : 0;
}

int Format::mantissa_bits() const { return kind_ == FormatKind::Float ? p2_ : 0; }

int Format::exponent_bias() const {
  return kind_ == FormatKind::Float ? (1 << (p1_ - 1)) - 1 : 0;
}

int Format::posit_bits() const {
  return kind_ == FormatKind::Posit || kind_ == FormatKind::Quire ? p1_ : 0;
}

int Format::posit_es() const {
  return kind_ == FormatKind::Posit || kind_ == FormatKind::Quire ? p2_ : 0;
}

bool Format::has_infinity() const { return kind_ == FormatKind::Float && !finite_only_; }

bool Format::has_nan() const { return kind_ == FormatKind::Float || kind_ == FormatKind::Posit; }

std::uint32_t Format::code_mask() const {
  return bits_ >= 32 ? 0xFFFFFFFFu : (std::uint32_t{1} << bits_) - 1u;
}

}  // namespace qarch::numerics
