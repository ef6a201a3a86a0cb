#include "cost/scalable_pe_cost.hpp"

#include <algorithm>

#include "arch/precision_scaling.hpp"

namespace qarch::cost {

namespace {

using arch::PrecisionScaling;
using arch::SerialOperand;

BlockCost with_area(double energy_pj, double area_um2) {
  BlockCost c;
  c.energy_pj = energy_pj;
  c.area_um2 = area_um2;
  return c;
}

// One bit of the serial operand per clock: the parallel operand ANDed with it, the partial
// product shift-added into a product register as wide as the product.
BlockCost bit_serial(const Technology& t, const MacOperands& mac) {
  const int bw = mac.weight.bits(), ba = mac.activation.bits();
  const int pw = mac.pe_weight_bits, pa = mac.pe_activation_bits;
  const auto step = [&t](int parallel_bits, int product_bits) {
    return logic_gates(t, parallel_bits) + int_adder(t, product_bits);
  };
  switch (mac.serial) {
    case SerialOperand::Activations: return with_area(ba * step(bw, bw + ba).energy_pj, step(pw, pw + pa).area_um2);
    case SerialOperand::Weights: return with_area(bw * step(ba, bw + ba).energy_pj, step(pa, pw + pa).area_um2);
    case SerialOperand::Both: return with_area(bw * ba * step(1, bw + ba).energy_pj, step(1, pw + pa).area_um2);
  }
  return {};
}

// A fusion unit: B 2-bit bricks and the B - 1 adders of its shift-add tree (which also sum the
// partial products of its fused PEs). Every clock the whole unit works; a product uses P of its
// B bricks (P > B: P / B clocks of the whole unit), so it costs P / B of a clock's energy.
BlockCost fusion(const Technology& t, const MacOperands& mac) {
  const int unit = arch::fusion_bricks(mac.pe_weight_bits, mac.pe_activation_bits);
  const int product = arch::fusion_bricks(mac.weight.bits(), mac.activation.bits());
  BlockCost clock = static_cast<double>(unit) * int_multiplier(t, 2, 2);
  clock += static_cast<double>(unit - 1) * int_adder(t, mac.pe_weight_bits + mac.pe_activation_bits);
  return with_area(clock.energy_pj * product / unit, clock.area_um2);
}

// One word x word multiplier whose partial-product array splits into 2 or 4 independent ones;
// the lanes share its energy.
BlockCost subword(const Technology& t, const MacOperands& mac) {
  const int word = std::max(mac.pe_weight_bits, mac.pe_activation_bits);
  const BlockCost multiplier = int_multiplier(t, word, word);
  const int lanes = arch::subword_lanes(word, std::max(mac.weight.bits(), mac.activation.bits()));
  return with_area(multiplier.energy_pj / lanes, multiplier.area_um2);
}

}  // namespace

BlockCost scalable_multiplier_cost(const Technology& t, const MacOperands& mac) {
  switch (mac.scaling) {
    case PrecisionScaling::BitParallel: break;
    case PrecisionScaling::BitSerial: return bit_serial(t, mac);
    case PrecisionScaling::Fusion: return fusion(t, mac);
    case PrecisionScaling::Subword: return subword(t, mac);
  }
  return {};
}

int extra_accumulators(const MacOperands& mac) {
  if (mac.scaling != PrecisionScaling::Subword) return 0;
  return arch::subword_lanes(std::max(mac.pe_weight_bits, mac.pe_activation_bits), 1) - 1;
}

}  // namespace qarch::cost
