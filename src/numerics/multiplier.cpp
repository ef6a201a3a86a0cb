#include "numerics/multiplier.hpp"

#include <string_view>
#include <utility>

#include "numerics/text.hpp"

namespace qarch::numerics {

namespace {

constexpr int kMaxTruncationBits = 31;

bool is_pow2_like(const Format& f) {
  return f.kind() == FormatKind::Pow2 || f.kind() == FormatKind::Ternary ||
         f.kind() == FormatKind::Binary;
}

bool is_mitchell_operand(const Format& f) {
  return f.is_integer_like() || f.kind() == FormatKind::Float;
}

std::string name(const Format& f) { return f.to_string(); }

// Each kind's spelling, once (mitchell_w<k> is mitchell with a truncation).
constexpr std::pair<MultiplierKind, std::string_view> kKindNames[] = {
    {MultiplierKind::Exact, "exact"},       {MultiplierKind::ShiftAdd, "shift_add"},
    {MultiplierKind::XnorPopcount, "xnor_popcount"}, {MultiplierKind::Mitchell, "mitchell"},
    {MultiplierKind::Plam, "plam"}, {MultiplierKind::BlockDot, "block_dot"}};

std::string_view kind_name(MultiplierKind kind) {
  for (const auto& [k, n] : kKindNames)
    if (k == kind) return n;
  return "?";
}

}  // namespace

MultiplierStyle MultiplierStyle::make(MultiplierKind kind, int truncation_bits) {
  if (kind != MultiplierKind::Mitchell && truncation_bits != 0) {
    throw FormatError("only mitchell takes a fraction truncation (mitchell_w<k>)");
  }
  if (truncation_bits < 0 || truncation_bits > kMaxTruncationBits) {
    throw FormatError("invalid multiplier style 'mitchell_w" + std::to_string(truncation_bits) +
                      "': the fraction width k must be 1.." + std::to_string(kMaxTruncationBits));
  }
  return MultiplierStyle(kind, truncation_bits);
}

std::vector<std::string> multiplier_names() {
  std::vector<std::string> names;
  for (const auto& entry : kKindNames) names.emplace_back(entry.second);
  names.emplace_back("mitchell_w6");  // an example of mitchell_w<k>, for suggestions
  return names;
}

MultiplierStyle MultiplierStyle::parse(std::string_view text) {
  for (const auto& [kind, spelling] : kKindNames)
    if (text == spelling) return make(kind);
  std::string_view rest = text;
  if (take_prefix(rest, "mitchell_w")) {
    const auto k = take_number(rest);
    if (k && rest.empty()) {
      if (*k < 1 || *k > kMaxTruncationBits) {
        throw FormatError("invalid multiplier style '" + std::string(text) +
                          "': the fraction width k of mitchell_w<k> must be 1.." +
                          std::to_string(kMaxTruncationBits));
      }
      return make(MultiplierKind::Mitchell, *k);
    }
  }
  throw FormatError("unknown multiplier style '" + std::string(text) +
                    "': expected exact, shift_add, xnor_popcount, mitchell, mitchell_w<k> "
                    "(e.g. mitchell_w6), plam or block_dot" +
                    did_you_mean(text, multiplier_names()));
}

std::string MultiplierStyle::to_string() const {
  if (kind_ == MultiplierKind::Mitchell && truncation_bits_ != 0)
    return "mitchell_w" + std::to_string(truncation_bits_);
  return std::string(kind_name(kind_));
}

std::optional<std::string> check_operands(const MultiplierStyle& style, const Format& weight,
                                          const Format& activation) {
  for (const Format* f : {&weight, &activation}) {
    if (!f->is_storage_format()) {
      return name(*f) + " is an accumulator format and cannot be a multiplier operand";
    }
  }
  const std::string s = style.to_string();
  if (style.kind() != MultiplierKind::BlockDot) {
    for (const Format* f : {&weight, &activation}) {
      if (f->is_block_scaled()) {
        return s + " multiplies scalar operands; " + name(*f) + " is block-scaled: use multiplier block_dot";
      }
    }
  }
  switch (style.kind()) {
    case MultiplierKind::Exact: return std::nullopt;
    case MultiplierKind::ShiftAdd:
      if (!is_pow2_like(weight)) {
        return s + " needs power-of-two weights (pow2_B, ternary or binary), got " + name(weight);
      }
      if (!activation.is_integer_like()) {
        return s + " shifts integer or fixed-point activations (intN, uintN, fixedN_F), got " +
               name(activation);
      }
      return std::nullopt;
    case MultiplierKind::XnorPopcount:
      if (weight.kind() != FormatKind::Binary || activation.kind() != FormatKind::Binary) {
        return s + " needs binary weights and activations, got " + name(weight) + " and " +
               name(activation);
      }
      return std::nullopt;
    case MultiplierKind::Mitchell:
      for (const Format* f : {&weight, &activation}) {
        if (!is_mitchell_operand(*f)) {
          return s + " multiplies integer, fixed-point or floating-point operands, got " +
                 name(*f) + (f->kind() == FormatKind::Posit ? " (use plam for posits)" : "");
        }
      }
      return std::nullopt;
    case MultiplierKind::Plam:
      if (weight.kind() != FormatKind::Posit || activation.kind() != FormatKind::Posit) {
        return s + " needs posit weights and activations, got " + name(weight) + " and " +
               name(activation);
      }
      return std::nullopt;
    case MultiplierKind::BlockDot:
      if (!weight.is_block_scaled() && !activation.is_block_scaled()) {
        return s + " needs a block-scaled operand (mxfp8_e4m3, mxfp4, mxint8, nvfp4, int4_g32, ...), got " +
               name(weight) + " and " + name(activation);
      }
      if (weight.is_block_scaled() && activation.is_block_scaled() && weight.block_size() != activation.block_size()) {
        return s + " pairs blocks of one size: " + name(weight) + " has " + std::to_string(weight.block_size()) +
               " elements per scale, " + name(activation) + " " + std::to_string(activation.block_size());
      }
      for (const Format* f : {&weight, &activation}) {
        if (!f->is_block_scaled() && !f->is_integer_like() && f->kind() != FormatKind::Float) {
          return s + " pairs a block-scaled operand with an integer, fixed-point or floating-point one, got " +
                 name(*f);
        }
        if (!f->is_block_scaled() && f->bits() > 16) {
          return s + " takes scalar operands of up to 16 bits beside a block-scaled one, got " + name(*f);
        }
      }
      return std::nullopt;
  }
  return std::nullopt;
}

std::optional<std::string> check_accumulator(const Format& weight, const Format& activation,
                                             const Format& accumulator) {
  const std::string acc = "a " + name(accumulator) + " accumulator";
  if (accumulator.is_block_scaled()) return name(accumulator) + " is block-scaled and cannot be an accumulator";
  if ((weight.is_block_scaled() || activation.is_block_scaled()) && accumulator.kind() != FormatKind::Float &&
      accumulator.kind() != FormatKind::Fixed) {
    return acc + " cannot take block-scaled products; use a float (fp32) or a wide fixed point (fixedN_F)";
  }
  // Scaled block sums are rounded into the accumulator once per block (block_dot.hpp).
  if (weight.is_block_scaled() || activation.is_block_scaled()) return std::nullopt;
  switch (accumulator.kind()) {
    case FormatKind::Int:
    case FormatKind::UInt:
      for (const Format* f : {&weight, &activation}) {
        if (!f->is_integer_valued()) {
          return acc + " needs integer-valued operands (intN, uintN, pow2_B, binary, ternary), got " +
                 name(*f);
        }
      }
      return std::nullopt;
    case FormatKind::Fixed: {
      int product_fraction_bits = 0;
      for (const Format* f : {&weight, &activation}) {
        if (!f->is_integer_valued() && !f->is_integer_like()) {
          return acc + " needs integer, fixed-point, pow2, binary or ternary operands, got " +
                 name(*f);
        }
        product_fraction_bits += f->fraction_bits();
      }
      if (product_fraction_bits > accumulator.fraction_bits()) {
        return acc + " has " + std::to_string(accumulator.fraction_bits()) +
               " fractional bits but " + name(weight) + " x " + name(activation) +
               " products have " + std::to_string(product_fraction_bits);
      }
      return std::nullopt;
    }
    case FormatKind::Float:
    case FormatKind::Posit: return std::nullopt;
    case FormatKind::Quire:
      for (const Format* f : {&weight, &activation}) {
        if (f->kind() != FormatKind::Posit || f->posit_es() != accumulator.posit_es() ||
            f->posit_bits() > accumulator.posit_bits()) {
          return acc + " accumulates products of posit<n,es> operands with n <= " +
                 std::to_string(accumulator.posit_bits()) + " and es = " +
                 std::to_string(accumulator.posit_es()) + ", got " + name(*f);
        }
      }
      return std::nullopt;
    case FormatKind::Pow2:
    case FormatKind::Binary:
    case FormatKind::Ternary: break;
  }
  return name(accumulator) +
         " cannot be an accumulator; use intN, uintN, fixedN_F, a float, a posit or quire<n,es>";
}

std::optional<std::string> check_mac(const MultiplierStyle& style, const Format& weight,
                                     const Format& activation, const Format& accumulator) {
  if (auto why = check_operands(style, weight, activation)) return why;
  return check_accumulator(weight, activation, accumulator);
}

}  // namespace qarch::numerics
