#pragma once
// Multiplier styles of a PE and the check that a style fits its operand and accumulator formats.
//
// The arithmetic itself is in mac.hpp (products and dot products) and accumulator.hpp;
// docs/numerics.md gives each style's formula.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "numerics/format.hpp"

namespace qarch::numerics {

enum class MultiplierKind {
  Exact,         // the exact product
  ShiftAdd,      // power-of-two weight: the activation shifted by the weight's exponent
  XnorPopcount,  // binary x binary: XNOR of the sign bits, counted
  Mitchell,      // Mitchell's logarithmic approximation (optionally truncated: mitchell_w<k>)
  Plam,          // posit multiplication with Mitchell's approximation on the fractions
  BlockDot,      // block-scaled operands: exact element products summed exactly per block, then
                 // scaled by the two blocks' scales and accumulated (block_dot.hpp)
};

class MultiplierStyle {
 public:
  // "exact", "shift_add", "xnor_popcount", "mitchell", "mitchell_w<k>" written as e.g.
  // "mitchell_w6" (k = 1..31), "plam", "block_dot". Throws FormatError naming the accepted names.
  static MultiplierStyle parse(std::string_view text);
  static MultiplierStyle make(MultiplierKind kind, int truncation_bits = 0);

  std::string to_string() const;
  MultiplierKind kind() const { return kind_; }
  int truncation_bits() const { return truncation_bits_; }  // k of mitchell_w<k>, else 0

  friend bool operator==(const MultiplierStyle& a, const MultiplierStyle& b) {
    return a.kind_ == b.kind_ && a.truncation_bits_ == b.truncation_bits_;
  }
  friend bool operator!=(const MultiplierStyle& a, const MultiplierStyle& b) { return !(a == b); }

 private:
  MultiplierStyle(MultiplierKind kind, int truncation_bits)
      : kind_(kind), truncation_bits_(truncation_bits) {}

  MultiplierKind kind_;
  int truncation_bits_;
};

// Every style name, with mitchell_w6 standing for mitchell_w<k>.
std::vector<std::string> multiplier_names();

// Empty when a PE with this style can multiply `weight` by `activation` and accumulate the
// products into `accumulator`; otherwise one sentence saying why not, e.g.
// "shift_add needs power-of-two weights (pow2_B), got int8".
std::optional<std::string> check_mac(const MultiplierStyle& style, const Format& weight,
                                     const Format& activation, const Format& accumulator);

// The operand half of check_mac (no accumulator involved).
std::optional<std::string> check_operands(const MultiplierStyle& style, const Format& weight,
                                          const Format& activation);

// The accumulator half of check_mac: can `accumulator` hold sums of weight x activation products.
std::optional<std::string> check_accumulator(const Format& weight, const Format& activation,
                                             const Format& accumulator);

}  // namespace qarch::numerics
