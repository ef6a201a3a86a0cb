#include "arch/precision_scaling.hpp"

#include <algorithm>
#include <stdexcept>

#include "arch/arch_spec.hpp"
#include "arch/enum_names.hpp"

namespace qarch::arch {

namespace {

using numerics::Format;
using numerics::FormatKind;

bool power_of_two(int v) { return v > 0 && (v & (v - 1)) == 0; }

// A BitFusion brick is 2 bits wide; a 1-bit operand (binary, uint1) takes a whole brick.
int brick_width(int bits) { return std::max(2, bits); }

std::string widths_of(const Format& weight, const Format& activation) {
  return weight.to_string() + " weights x " + activation.to_string() + " activations";
}

std::optional<std::string> check_operand(const PeArraySpec& pe, const Format& f, const char* role) {
  const bool integer = !f.is_block_scaled() && (f.is_integer_like() || f.kind() == FormatKind::Binary ||
                                                f.kind() == FormatKind::Ternary);
  if (!integer) {
    return "pe_array.precision_scaling " + std::string(to_string(pe.precision_scaling)) +
           " multiplies integer and fixed-point operands, not " + std::string(role) + " in " + f.to_string();
  }
  return std::nullopt;
}

}  // namespace

std::string_view to_string(PrecisionScaling scaling) { return name_in(kPrecisionScalingNames, scaling); }
std::string_view to_string(SerialOperand serial) { return name_in(kSerialOperandNames, serial); }

int fusion_bricks(int weight_bits, int activation_bits) {
  return brick_width(weight_bits) / 2 * (brick_width(activation_bits) / 2);
}

int subword_lanes(int word_bits, int bits) {
  for (int lanes : {4, 2})
    if (word_bits % lanes == 0 && bits <= word_bits / lanes) return lanes;
  return 1;
}

std::optional<std::string> check_pe_mode(const PeArraySpec& pe, const Format& weight, const Format& activation) {
  if (pe.precision_scaling == PrecisionScaling::BitParallel) return std::nullopt;
  const std::string kind = "pe_array.precision_scaling " + std::string(to_string(pe.precision_scaling));
  if (pe.multiplier.kind() != numerics::MultiplierKind::Exact) {
    return kind + " computes exact products; pe_array.multiplier is " + pe.multiplier.to_string();
  }
  if (auto why = check_operand(pe, weight, "weights")) return why;
  if (auto why = check_operand(pe, activation, "activations")) return why;
  const int pw = pe.weight_format.bits(), pa = pe.activation_format.bits();
  switch (pe.precision_scaling) {
    case PrecisionScaling::BitParallel: return std::nullopt;
    case PrecisionScaling::BitSerial: {
      // The parallel operand's datapath is the PE format's width; the serial one has no limit.
      const bool weights_parallel = pe.serial_operand == SerialOperand::Activations;
      const bool activations_parallel = pe.serial_operand == SerialOperand::Weights;
      if (weights_parallel && weight.bits() > pw)
        return kind + " with serial activations has a " + std::to_string(pw) + "-bit weight datapath "
               "(pe_array.weight_format " + pe.weight_format.to_string() + "), too narrow for " + weight.to_string();
      if (activations_parallel && activation.bits() > pa)
        return kind + " with serial weights has a " + std::to_string(pa) + "-bit activation datapath "
               "(pe_array.activation_format " + pe.activation_format.to_string() + "), too narrow for " +
               activation.to_string();
      return std::nullopt;
    }
    case PrecisionScaling::Fusion: {
      for (const Format* f : {&weight, &activation}) {
        const int b = brick_width(f->bits());
        if (!power_of_two(b) || b > 16) {
          return kind + " fuses 2-bit bricks into 2, 4, 8 or 16-bit operands; " + f->to_string() + " (" +
                 widths_of(weight, activation) + ") is none of them";
        }
      }
      return std::nullopt;
    }
    case PrecisionScaling::Subword: {
      const int word = std::max(pw, pa);
      const int need = std::max(weight.bits(), activation.bits());
      if (need > word) {
        return kind + " splits a " + std::to_string(word) + "-bit multiplier (the wider of pe_array.weight_format "
               "and activation_format); " + widths_of(weight, activation) + " need " + std::to_string(need) + " bits";
      }
      return std::nullopt;
    }
  }
  return std::nullopt;
}

PeMode pe_mode(const PeArraySpec& pe, const Format& weight, const Format& activation) {
  if (const auto why = check_pe_mode(pe, weight, activation)) throw std::logic_error(*why);
  PeMode m;
  m.weight_bits = weight.bits();
  m.activation_bits = activation.bits();
  switch (pe.precision_scaling) {
    case PrecisionScaling::BitParallel: break;
    case PrecisionScaling::BitSerial:
      m.step_cycles = pe.serial_operand == SerialOperand::Activations ? activation.bits()
                      : pe.serial_operand == SerialOperand::Weights   ? weight.bits()
                                                                      : weight.bits() * activation.bits();
      break;
    case PrecisionScaling::Fusion: {
      m.weight_bits = brick_width(weight.bits());
      m.activation_bits = brick_width(activation.bits());
      const int unit = fusion_bricks(pe.weight_format.bits(), pe.activation_format.bits());
      const int product = fusion_bricks(m.weight_bits, m.activation_bits);
      // Powers of two, so one divides the other: spatial fusion below the unit's width,
      // temporal fusion above it.
      if (product <= unit) m.lanes = unit / product;
      else m.step_cycles = product / unit;
      break;
    }
    case PrecisionScaling::Subword: {
      const int word = std::max(pe.weight_format.bits(), pe.activation_format.bits());
      m.lanes = subword_lanes(word, std::max(weight.bits(), activation.bits()));
      m.weight_bits = m.activation_bits = word / m.lanes;
      break;
    }
  }
  return m;
}

}  // namespace qarch::arch
