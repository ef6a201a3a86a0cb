#include "cost/mac_styles.hpp"

#include "cost/block_dot_cost.hpp"
#include "cost/scalable_pe_cost.hpp"

#include <algorithm>
#include <stdexcept>

namespace qarch::cost {

using numerics::Format;
using numerics::FormatKind;

namespace {

int ceil_log2(int v) {
  int bits = 0;
  while ((1LL << bits) < v) ++bits;
  return bits;
}

bool is_float(const Format& f) { return f.kind() == FormatKind::Float; }
bool is_posit(const Format& f) { return f.kind() == FormatKind::Posit; }

// The significand (hidden bit included) and exponent widths an exact multiplier sees.
struct Significand {
  int bits = 0;
  int exponent_bits = 0;
};

Significand significand(const Format& f) {
  if (is_float(f)) return {f.mantissa_bits() + 1, f.exponent_bits()};
  if (is_posit(f)) {
    const PositFields p = posit_fields(f);
    return {p.fraction_bits + 1, p.scale_bits};
  }
  return {f.bits(), 0};
}

BlockCost decoders(const Technology& t, const MacOperands& mac) {
  BlockCost c;
  for (const Format* f : {&mac.weight, &mac.activation}) {
    if (is_posit(*f)) c += posit_decoder(t, f->bits());
  }
  return c;
}

// Integer operands: partial-product array. Any float or posit operand: a floating-point
// multiplier on the widest significand and exponent (a posit multiplier is a float multiplier
// on its fraction and scale behind decoders, so it is never cheaper than a float of equal width).
BlockCost exact_cost(const Technology& t, const MacOperands& mac) {
  const Format& w = mac.weight;
  const Format& a = mac.activation;
  const bool floating = is_float(w) || is_float(a) || is_posit(w) || is_posit(a);
  if (!floating) return int_multiplier(t, w.bits(), a.bits());
  const Significand sw = significand(w), sa = significand(a);
  const int e = std::max(sw.exponent_bits, sa.exponent_bits);
  const int m = std::max(sw.bits, sa.bits) - 1;
  return fp_multiplier(t, e, m) + decoders(t, mac);
}

// Power-of-two weight: the activation shifted by the weight's exponent; the sign is applied by
// the accumulator's add/subtract.
BlockCost shift_add_cost(const Technology& t, const MacOperands& mac) {
  int max_shift = 0;
  if (mac.weight.kind() == FormatKind::Pow2) max_shift = (1 << mac.weight.exponent_bits()) - 2;
  return shifter(t, mac.activation.bits(), max_shift);
}

// XNOR of the two sign bits; the accumulator counts (adds +-1).
BlockCost xnor_cost(const Technology& t, const MacOperands&) { return logic_gates(t, 1); }

// Mitchell: each integer operand goes through a leading-one detector and a shifter that
// normalizes its fraction to k bits (k = truncation, else n - 1); float operands are already
// (exponent, fraction). One adder adds the two logarithms (characteristic and fraction); an
// integer result is shifted back out (antilogarithm) by up to 2n - 2.
BlockCost mitchell_cost(const Technology& t, const MacOperands& mac) {
  const int k_style = mac.style.truncation_bits();
  BlockCost c;
  int characteristic_bits = 0;
  int fraction_bits = 0;
  int max_int_bits = 0;
  for (const Format* f : {&mac.weight, &mac.activation}) {
    if (is_float(*f)) {
      const int k = k_style > 0 ? std::min(k_style, f->mantissa_bits()) : f->mantissa_bits();
      fraction_bits = std::max(fraction_bits, k);
      characteristic_bits = std::max(characteristic_bits, f->exponent_bits());
    } else {
      const int n = f->bits();
      const int k = k_style > 0 ? std::min(k_style, n - 1) : n - 1;
      c += leading_one_detector(t, n) + shifter(t, k, n - 1);
      fraction_bits = std::max(fraction_bits, k);
      characteristic_bits = std::max(characteristic_bits, ceil_log2(n));
      max_int_bits = std::max(max_int_bits, n);
    }
  }
  c += int_adder(t, characteristic_bits + 1 + fraction_bits);
  if (mac.accumulator.is_integer_like() && max_int_bits > 0) {
    c += shifter(t, fraction_bits + 1, 2 * max_int_bits - 2);
  }
  return c;
}

// PLAM (posit logarithm-approximate multiplication): behind the same decoders as an exact posit
// multiplier, the scale.fraction fixed-point numbers are added by one adder instead of
// multiplying the fractions.
BlockCost plam_cost(const Technology& t, const MacOperands& mac) {
  const PositFields pw = posit_fields(mac.weight), pa = posit_fields(mac.activation);
  const int width = std::max(pw.scale_bits, pa.scale_bits) + std::max(pw.fraction_bits, pa.fraction_bits);
  return int_adder(t, width) + decoders(t, mac);
}

}  // namespace

PositFields posit_fields(const Format& posit) {
  const int n = posit.posit_bits();
  const int es = posit.posit_es();
  const int max_scale = (n - 2) * (1 << es);
  return {ceil_log2(max_scale + 1) + 1, std::max(0, n - 3 - es)};
}

BlockCost posit_decoder(const Technology& t, int bits) {
  return int_adder(t, bits) + leading_one_detector(t, bits) + shifter(t, bits, bits);
}

BlockCost posit_encoder(const Technology& t, int bits) {
  return shifter(t, bits, bits) + int_adder(t, bits);
}

void MultiplierRegistry::add(const std::string& name, MultiplierCost cost) {
  costs_[name] = std::move(cost);
}

const MultiplierCost& MultiplierRegistry::find(const numerics::MultiplierStyle& style) const {
  const std::string name =
      style.kind() == numerics::MultiplierKind::Mitchell ? "mitchell" : style.to_string();
  const auto it = costs_.find(name);
  if (it == costs_.end()) {
    std::string known;
    for (const auto& n : names()) known += (known.empty() ? "" : ", ") + n;
    throw std::invalid_argument("no cost model for multiplier style '" + style.to_string() +
                                "'; styles with one: " + known);
  }
  return it->second;
}

std::vector<std::string> MultiplierRegistry::names() const {
  std::vector<std::string> out;
  for (const auto& entry : costs_) out.push_back(entry.first);
  return out;
}

void register_builtins(MultiplierRegistry& registry) {
  registry.add("exact", exact_cost);
  registry.add("shift_add", shift_add_cost);
  registry.add("xnor_popcount", xnor_cost);
  registry.add("mitchell", mitchell_cost);
  registry.add("plam", plam_cost);
  registry.add("block_dot", block_dot_multiplier);
}

BlockCost accumulator_cost(const Technology& t, const MacOperands& mac) {
  // A block dot-product unit adds into the accumulator once per block, not per product.
  if (mac.style.kind() == numerics::MultiplierKind::BlockDot) return block_dot_accumulation(t, mac);
  const Format& acc = mac.accumulator;
  switch (acc.kind()) {
    case FormatKind::Float: return fp_adder(t, acc.mantissa_bits());
    case FormatKind::Quire: {
      // The product's significand is aligned to its place in the quire, then added.
      const Significand sw = significand(mac.weight), sa = significand(mac.activation);
      return shifter(t, sw.bits + sa.bits, acc.bits()) + int_adder(t, acc.bits());
    }
    case FormatKind::Posit: {
      const PositFields p = posit_fields(acc);
      return posit_decoder(t, acc.bits()) + fp_adder(t, p.fraction_bits) + posit_encoder(t, acc.bits());
    }
    default: return int_adder(t, acc.bits());
  }
}

BlockCost mac_cost(const MultiplierRegistry& registry, const Technology& t, const MacOperands& mac) {
  if (mac.scaling != arch::PrecisionScaling::BitParallel) {
    BlockCost c = scalable_multiplier_cost(t, mac) + accumulator_cost(t, mac);
    c.area_um2 += extra_accumulators(mac) * accumulator_cost(t, mac).area_um2;
    return c;
  }
  return registry.find(mac.style)(t, mac) + accumulator_cost(t, mac);
}

}  // namespace qarch::cost
