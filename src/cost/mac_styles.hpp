#pragma once
// The cost of one MAC: a multiplier of the PE's arithmetic style plus the accumulator's adder,
// composed from blocks.hpp (docs/cost.md, "MAC styles"). Multiplier styles are an open set: a
// registry maps a style name to the function that prices it, filled by register_builtins().

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "arch/precision_scaling.hpp"
#include "cost/blocks.hpp"
#include "numerics/format.hpp"
#include "numerics/multiplier.hpp"

namespace qarch::cost {

struct MacOperands {
  numerics::Format weight = numerics::Format::make_int(8);
  numerics::Format activation = numerics::Format::make_int(8);
  numerics::Format accumulator = numerics::Format::make_int(32);
  numerics::MultiplierStyle style = numerics::MultiplierStyle::make(numerics::MultiplierKind::Exact);
  // The PE that runs it (arch/precision_scaling.hpp): a scalable one has widths of its own.
  arch::PrecisionScaling scaling = arch::PrecisionScaling::BitParallel;
  arch::SerialOperand serial = arch::SerialOperand::Activations;
  int pe_weight_bits = 8, pe_activation_bits = 8;
};

// Prices the multiplier of one MAC (operand decoding included; accumulation excluded).
using MultiplierCost = std::function<BlockCost(const Technology&, const MacOperands&)>;

class MultiplierRegistry {
 public:
  // Registers (or replaces) the function for style `name`: "exact", "shift_add", "mitchell", ...
  void add(const std::string& name, MultiplierCost cost);
  // The function for `style`; mitchell_w<k> is priced by "mitchell" (which reads k from the style).
  // Throws std::invalid_argument naming the known styles when none is registered.
  const MultiplierCost& find(const numerics::MultiplierStyle& style) const;
  std::vector<std::string> names() const;

 private:
  std::map<std::string, MultiplierCost> costs_;
};

// exact, shift_add, xnor_popcount, mitchell (and mitchell_w<k>), plam, block_dot.
void register_builtins(MultiplierRegistry& registry);

// The adder that adds one product into the accumulator (int/fixed: integer adder; float:
// floating-point adder; quire: alignment shifter + integer adder; posit: decode, add, encode;
// block_dot: the accumulator's adder once per block, 1/B per MAC).
BlockCost accumulator_cost(const Technology& t, const MacOperands& mac);

// Multiplier + accumulator adder; a precision-scalable PE's multiplier at the MAC's widths
// (scalable_pe_cost.hpp), with the area of the PE's own.
BlockCost mac_cost(const MultiplierRegistry& registry, const Technology& t, const MacOperands& mac);

// Posit pieces, shared by the exact and plam styles and by tests of the published PLAM margin.
struct PositFields {
  int scale_bits = 0;     // signed scale factor (regime and exponent): the "exponent" width
  int fraction_bits = 0;  // widest fraction: n - 3 - es
};
PositFields posit_fields(const numerics::Format& posit);
BlockCost posit_decoder(const Technology& t, int bits);  // negate, leading-one detect, shift
BlockCost posit_encoder(const Technology& t, int bits);  // shift, round

}  // namespace qarch::cost
