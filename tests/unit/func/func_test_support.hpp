#pragma once
// Design points and networks for the functional-mode tests, built in code so that the tests do
// not depend on configs/ presets.

#include <string>

#include "arch/arch_spec.hpp"
#include "numerics/format.hpp"
#include "numerics/multiplier.hpp"
#include "workload/network.hpp"

namespace qarch::testing {

inline const std::string kFashionDir = "/usr/share/datasets/fashion-mnist";

inline std::string fashion_workload(const std::string& model) {
  return std::string(QARCH_SOURCE_DIR) + "/workloads/fashion/" + model + ".yaml";
}

inline std::string func_data(const std::string& file) {
  return std::string(QARCH_SOURCE_DIR) + "/tests/data/func/" + file;
}

// A TPU-like point: rows x cols, the given dataflow and PE formats.
inline arch::ArchSpec func_arch(const std::string& weight, const std::string& activation,
                                const std::string& accumulator, const std::string& style = "exact",
                                arch::Dataflow dataflow = arch::Dataflow::WeightStationary,
                                int rows = 32, int cols = 32) {
  arch::ArchSpec a;
  a.name = "func-test";
  a.clock_ghz = 1.0;
  a.pe_array.rows = rows;
  a.pe_array.cols = cols;
  a.pe_array.dataflow = dataflow;
  a.pe_array.weight_format = numerics::Format::parse(weight);
  a.pe_array.activation_format = numerics::Format::parse(activation);
  a.pe_array.accumulator_format = numerics::Format::parse(accumulator);
  a.pe_array.multiplier = numerics::MultiplierStyle::parse(style);
  for (arch::BufferSpec* b : {&a.weight_buffer, &a.input_buffer, &a.output_buffer}) {
    b->size_kib = 256;
    b->banks = 8;
    b->word_bits = 256;
  }
  a.memory.ideal = true;
  a.memory.dram = arch::load_dram_device(arch::default_models_dir(), "lpddr4-3200");
  return a;
}

}  // namespace qarch::testing
