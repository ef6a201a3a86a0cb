#include "cost/blocks.hpp"

#include <algorithm>
#include <cmath>

namespace qarch::cost {

namespace {

int ceil_log2(int v) {  // ceil(log2(v)) for v >= 1
  int bits = 0;
  while ((1LL << bits) < v) ++bits;
  return bits;
}

}  // namespace

BlockCost int_multiplier(const Technology& t, int a_bits, int b_bits) {
  const double ab = static_cast<double>(a_bits) * b_bits;
  const double sum = a_bits + b_bits;
  return {t.at("int_multiplier", "energy_ab") * ab + t.at("int_multiplier", "energy_a_plus_b") * sum,
          t.at("int_multiplier", "area_ab") * ab + t.at("int_multiplier", "area_a_plus_b") * sum};
}

BlockCost int_adder(const Technology& t, int bits) {
  return {t.at("int_adder", "energy_fixed") + t.at("int_adder", "energy_per_bit") * bits,
          t.at("int_adder", "area_fixed") + t.at("int_adder", "area_per_bit") * bits};
}

BlockCost shifter(const Technology& t, int bits, int max_shift) {
  if (max_shift <= 0) return {};
  const double bit_stages = static_cast<double>(bits + max_shift) * ceil_log2(max_shift + 1);
  return {t.at("shifter", "energy_per_bit_stage") * bit_stages,
          t.at("shifter", "area_per_bit_stage") * bit_stages};
}

BlockCost leading_one_detector(const Technology& t, int bits) {
  return {t.at("leading_one_detector", "energy_per_bit") * bits,
          t.at("leading_one_detector", "area_per_bit") * bits};
}

BlockCost fp_multiplier(const Technology& t, int exponent_bits, int mantissa_bits) {
  const double sq = static_cast<double>(mantissa_bits + 1) * (mantissa_bits + 1);
  return {t.at("fp_multiplier", "energy_per_significand_bit_sq") * sq +
              t.at("fp_multiplier", "energy_per_exponent_bit") * exponent_bits,
          t.at("fp_multiplier", "area_per_significand_bit_sq") * sq +
              t.at("fp_multiplier", "area_fixed")};
}

BlockCost fp_adder(const Technology& t, int mantissa_bits) {
  const double s = mantissa_bits + 1;
  return {t.at("fp_adder", "energy_per_significand_bit") * s,
          t.at("fp_adder", "area_per_significand_bit_log") * s * std::log2(std::max(2.0, s))};
}

BlockCost logic_gates(const Technology& t, int bits) {
  return {t.at("logic_gate", "energy_per_bit") * bits, t.at("logic_gate", "area_per_bit") * bits};
}

double register_file_pj_per_bit(const Technology& t, int entries) {
  return t.at("register_file", "energy_per_bit") +
         t.at("register_file", "energy_per_bit_per_entry") * entries;
}

double register_file_area_um2(const Technology& t, int entries, int word_bits) {
  return t.at("register_file", "area_per_bit") * static_cast<double>(entries) * word_bits;
}

double sram_read_pj_per_bit(const Technology& t, const arch::BufferSpec& buffer) {
  const double bank_bytes = static_cast<double>(buffer.size_bytes()) / std::max(1, buffer.banks);
  return t.at("sram", "energy_per_bit_fixed") +
         t.at("sram", "energy_per_bit_sqrt") * std::sqrt(bank_bytes / t.at("sram", "reference_bytes"));
}

double sram_write_pj_per_bit(const Technology& t, const arch::BufferSpec& buffer) {
  return t.at("sram", "write_to_read") * sram_read_pj_per_bit(t, buffer);
}

double sram_area_um2(const Technology& t, const arch::BufferSpec& buffer) {
  const double bits = static_cast<double>(buffer.size_bytes()) * 8.0;
  const double port_bits = static_cast<double>(buffer.word_bits) * buffer.ports * buffer.banks;
  return t.at("sram", "area_per_bit") * bits + t.at("sram", "area_per_bank_word_bit") * port_bits;
}

double wire_pj_per_bit(const Technology& t, double length_um) {
  return t.at("wire", "energy_per_bit_um") * length_um;
}

}  // namespace qarch::cost
