#include "cost/block_dot_cost.hpp"

#include <algorithm>
#include <cmath>

#include "numerics/block_format.hpp"
#include "numerics/codec.hpp"

namespace qarch::cost {

using numerics::BlockKind;
using numerics::Format;
using numerics::FormatKind;

namespace {

int ceil_log2(int v) {
  int bits = 0;
  while ((1LL << bits) < v) ++bits;
  return bits;
}

// Bits of the unsigned integer floor(x).
int bit_width(double x) { return x < 1 ? 0 : static_cast<int>(std::floor(std::log2(x))) + 1; }

// One operand as the unit holds it: every value an integer in units of the format's smallest
// step (a float's smallest subnormal), so products and sums are exact integers.
struct Side {
  int significand = 0;   // multiplier input bits (integers: two's complement; floats: 1.m)
  double magnitude = 0;  // the largest |value| in units of the step
  int shift = 0;         // how far a significand can sit above the step: its exponent range
};

Side side_of(const Format& f) {
  if (f.kind() == FormatKind::Float) {
    double max = 0, step = 0;
    if (f.is_block_scaled()) {
      const numerics::MiniFloat e = f.block_format()->minifloat();
      max = e.max_norm;
      step = std::ldexp(1.0, 1 - e.bias - e.mantissa_bits);
    } else {
      max = numerics::max_value(f);
      step = numerics::min_positive(f);
    }
    const int significand = f.mantissa_bits() + 1;
    return {significand, max / step, bit_width(max / step) - significand};
  }
  if (f.kind() == FormatKind::UInt) return {f.bits() + 1, std::ldexp(1.0, f.bits()) - 1, 0};
  return {f.bits(), std::ldexp(1.0, f.bits() - 1), 0};  // int, fixed: -2^(n-1) is the largest
}

// A shared scale: its exponent and mantissa widths (E8M0: 8, 0).
struct Scale {
  int exponent_bits = 8, mantissa_bits = 0;
};

Scale scale_of(const Format& f) {
  const numerics::BlockFormat b = *f.block_format();
  switch (b.kind) {
    case BlockKind::Mx: return {8, 0};
    case BlockKind::Nvfp4: return {4, 3};  // E4M3 block scale (the tensor scale is once per tensor)
    case BlockKind::GroupInt: return b.fp16_scale ? Scale{5, 10} : Scale{8, 23};
  }
  return {};
}

int block_of(const MacOperands& mac) {
  return mac.weight.is_block_scaled() ? mac.weight.block_size() : mac.activation.block_size();
}

std::string w(int bits) { return std::to_string(bits) + "b"; }

}  // namespace

int block_sum_bits(const MacOperands& mac) {
  // B products of the largest magnitudes, and a sign bit.
  const Side sw = side_of(mac.weight), sa = side_of(mac.activation);
  return bit_width(block_of(mac) * sw.magnitude * sa.magnitude) + 1;
}

std::vector<DotPart> block_dot_parts(const Technology& t, const MacOperands& mac) {
  const Side sw = side_of(mac.weight), sa = side_of(mac.activation);
  const int block = block_of(mac);
  const int sum_bits = block_sum_bits(mac);
  const int shift = sw.shift + sa.shift;
  const int product_bits = sw.significand + sa.significand;
  const double per_block = 1.0 / block;
  std::vector<DotPart> parts;

  parts.push_back({"products", 1, int_multiplier(t, sw.significand, sa.significand),
                   "int multiplier " + w(sw.significand) + " x " + w(sa.significand)});
  if (shift > 0) {
    // The element exponents add to the product's place; a shifter puts it there.
    const int shift_bits = ceil_log2(shift + 1);
    parts.push_back({"alignments", 1, int_adder(t, shift_bits) + shifter(t, product_bits, shift),
                     "exponent adder " + w(shift_bits) + " + shifter " + w(product_bits) + " by 0.." +
                         std::to_string(shift)});
  }
  parts.push_back({"tree adds", (block - 1.0) / block, int_adder(t, sum_bits),
                   "adder " + w(sum_bits) + " (exact block sum), " + std::to_string(block - 1) + " per " +
                       std::to_string(block) + " products"});

  // Once per block: the two scales combine, the exact sum becomes the accumulator's number.
  BlockCost scale;
  std::string scale_basis;
  int scale_mantissa = 0;
  const Format* blocked[2] = {mac.weight.is_block_scaled() ? &mac.weight : nullptr,
                              mac.activation.is_block_scaled() ? &mac.activation : nullptr};
  if (blocked[0] != nullptr && blocked[1] != nullptr) {
    const Scale a = scale_of(*blocked[0]), b = scale_of(*blocked[1]);
    scale_mantissa = std::max(a.mantissa_bits, b.mantissa_bits);
    if (scale_mantissa == 0) {
      const int bits = std::max(a.exponent_bits, b.exponent_bits) + 1;
      scale = int_adder(t, bits);
      scale_basis = "scale exponent adder " + w(bits);
    } else {
      const int e = std::max(a.exponent_bits, b.exponent_bits);
      scale = fp_multiplier(t, e, scale_mantissa);
      scale_basis = "scale multiplier e" + std::to_string(e) + "m" + std::to_string(scale_mantissa);
    }
  } else {
    scale_mantissa = scale_of(blocked[0] != nullptr ? *blocked[0] : *blocked[1]).mantissa_bits;
    scale_basis = "one scale";
  }
  const Format& acc = mac.accumulator;
  if (acc.kind() == FormatKind::Float) {
    // Normalize the sum (leading one, shift), round it to the accumulator's significand, then
    // apply the scale: an exponent add, and a significand multiply if the scale has a mantissa.
    const int acc_significand = acc.mantissa_bits() + 1;
    scale += leading_one_detector(t, sum_bits) + shifter(t, sum_bits, sum_bits) + int_adder(t, acc_significand) +
             int_adder(t, acc.exponent_bits() + 1);
    scale_basis += ", normalize " + w(sum_bits) + " to " + acc.to_string() + ", exponent adder";
    if (scale_mantissa > 0) {
      scale += int_multiplier(t, acc_significand, scale_mantissa + 1);
      scale_basis += ", scale significand multiplier " + w(acc_significand) + " x " + w(scale_mantissa + 1);
    }
  } else {
    // A fixed-point accumulator: the sum is shifted to the accumulator's binary point by the
    // scale exponent (and multiplied by a scale mantissa, if any).
    scale += shifter(t, sum_bits, acc.bits());
    scale_basis += ", shifter " + w(sum_bits) + " into " + acc.to_string();
    if (scale_mantissa > 0) {
      scale += int_multiplier(t, sum_bits, scale_mantissa + 1);
      scale_basis += ", scale multiplier " + w(sum_bits) + " x " + w(scale_mantissa + 1);
    }
  }
  parts.push_back({"block scales", per_block, scale, scale_basis});

  const BlockCost add = acc.kind() == FormatKind::Float ? fp_adder(t, acc.mantissa_bits()) : int_adder(t, acc.bits());
  parts.push_back({"block accums", per_block, add,
                   (acc.kind() == FormatKind::Float ? "float adder " : "adder ") + acc.to_string() + ", once per block"});
  return parts;
}

BlockCost block_dot_multiplier(const Technology& t, const MacOperands& mac) {
  std::vector<DotPart> parts = block_dot_parts(t, mac);
  parts.pop_back();
  BlockCost c;
  for (const DotPart& p : parts) c += p.per_mac * p.cost;
  return c;
}

BlockCost block_dot_accumulation(const Technology& t, const MacOperands& mac) {
  const DotPart last = block_dot_parts(t, mac).back();
  return last.per_mac * last.cost;
}

}  // namespace qarch::cost
