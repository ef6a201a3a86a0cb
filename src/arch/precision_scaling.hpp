#pragma once
// Precision-scalable PEs (pe_array.precision_scaling, docs/architecture.md "Precision-scalable
// PEs"): how one PE of the array runs a layer's operand widths. A bit-parallel PE (the default)
// does one product per clock at any width up to its own. The others trade width for time or
// for products:
// - bit_serial (Stripes, Loom): the serial operand enters one bit per clock, so a product takes
//   as many clocks as its bits (weights x activations bits when both are serial);
// - fusion (BitFusion): the PE is a fusion unit of 2-bit bricks, (W/2) x (A/2) of them for its
//   W-bit weights and A-bit activations; a b_w x b_a product needs (b_w/2) x (b_a/2) bricks, so
//   the unit does several narrow products per clock or fuses one wide product over clocks;
// - subword (Envision's sub-word parallel multiplier): one max(W, A)-bit multiplier splits into
//   2 or 4 narrower ones.
// Products a PE does side by side are independent, each on its own column of a virtual array of
// rows x (cols x lanes) PEs (they share the operand that flows along the row); every dataflow
// maps the layer onto that virtual array, and each of its steps takes step_cycles clocks.

#include <optional>
#include <string>
#include <string_view>

#include "numerics/format.hpp"

namespace qarch::arch {

struct PeArraySpec;

enum class PrecisionScaling { BitParallel, BitSerial, Fusion, Subword };
enum class SerialOperand { Activations, Weights, Both };

std::string_view to_string(PrecisionScaling scaling);  // "bit_parallel", "bit_serial", "fusion", "subword"
std::string_view to_string(SerialOperand serial);      // "activations", "weights", "both"

// How the array runs one layer.
struct PeMode {
  int lanes = 1;        // independent products per PE per step
  int step_cycles = 1;  // clocks per step
  // The widths the PE computes at: fusion rounds 1-bit operands up to a brick, subword runs
  // every product at its mode's width; otherwise the operands' own.
  int weight_bits = 0, activation_bits = 0;
};

// Why the array cannot run weights and activations of these formats, naming what to change;
// empty when it can. The PE's own widths are those of pe_array.weight_format and
// activation_format.
std::optional<std::string> check_pe_mode(const PeArraySpec& pe, const numerics::Format& weight,
                                         const numerics::Format& activation);

// The mode for formats check_pe_mode accepts (std::logic_error otherwise).
PeMode pe_mode(const PeArraySpec& pe, const numerics::Format& weight, const numerics::Format& activation);

// Bricks of a fusion unit (or of one fused product) `weight_bits` x `activation_bits` wide.
int fusion_bricks(int weight_bits, int activation_bits);

// Lanes a `word_bits` subword multiplier splits into for operands of up to `bits` bits: 4, 2
// or 1 (the widest of word/4, word/2, word that holds them); the most lanes when bits is 1.
int subword_lanes(int word_bits, int bits);

}  // namespace qarch::arch
