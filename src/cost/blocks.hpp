#pragma once
// Energy and area of the hardware blocks a MAC and a memory hierarchy are composed of, from the
// coefficients of a technology table (docs/cost.md states every formula). Widths in bits;
// energy in pJ per operation (per bit for storage); area in um^2.

#include "arch/arch_spec.hpp"
#include "cost/technology.hpp"

namespace qarch::cost {

struct BlockCost {
  double energy_pj = 0;  // per operation
  double area_um2 = 0;

  BlockCost& operator+=(const BlockCost& o) {
    energy_pj += o.energy_pj;
    area_um2 += o.area_um2;
    return *this;
  }
  friend BlockCost operator+(BlockCost a, const BlockCost& b) { return a += b; }
  friend BlockCost operator*(double k, const BlockCost& b) { return {k * b.energy_pj, k * b.area_um2}; }
};

// a x b partial-product array: k_ab a b + k_lin (a + b).
BlockCost int_multiplier(const Technology& t, int a_bits, int b_bits);
// w-bit adder (also subtractor, comparator, incrementer): k_0 + k_w w.
BlockCost int_adder(const Technology& t, int bits);
// Barrel shifter of a `bits`-wide input by 0..max_shift: k (bits + S) ceil(log2(S + 1));
// nothing when max_shift is 0.
BlockCost shifter(const Technology& t, int bits, int max_shift);
BlockCost leading_one_detector(const Technology& t, int bits);
// IEEE-style multiplier with e exponent and m stored mantissa bits, normalization and rounding
// included: k_m (m + 1)^2 + k_e e.
BlockCost fp_multiplier(const Technology& t, int exponent_bits, int mantissa_bits);
// Floating-point adder (alignment, add, normalize): k (m + 1); area k (m + 1) log2(m + 1).
BlockCost fp_adder(const Technology& t, int mantissa_bits);
// `bits` one-bit logic gates (XNOR).
BlockCost logic_gates(const Technology& t, int bits);

// Register file (per-PE scratchpad) of `entries` words: energy per bit read or written
// (k_0 + k_n entries) and area of all its bits.
double register_file_pj_per_bit(const Technology& t, int entries);
double register_file_area_um2(const Technology& t, int entries, int word_bits);

// SRAM buffer: read energy per bit of one bank access, growing with the bank's capacity
// (k_0 + k_s sqrt(bank bytes / reference bytes)); writes cost write_to_read times as much.
double sram_read_pj_per_bit(const Technology& t, const arch::BufferSpec& buffer);
double sram_write_pj_per_bit(const Technology& t, const arch::BufferSpec& buffer);
// Cells (area per bit x capacity) plus each bank's port periphery (area per word bit x
// word_bits x ports x banks).
double sram_area_um2(const Technology& t, const arch::BufferSpec& buffer);

double wire_pj_per_bit(const Technology& t, double length_um);

}  // namespace qarch::cost
