#pragma once
// Architecture YAML written to a temporary file, for loader tests.

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "arch/arch_spec.hpp"
#include "support/diagnostics.hpp"

namespace qarch::arch::testing {

inline const std::string kValidArch = R"(name: test
clock_ghz: 1.0
pe_array:
  rows: 16
  cols: 8
  dataflow: os
  weight_format: int8
  activation_format: int8
buffers:
  weight: {size_kib: 64, banks: 4, word_bits: 64}
  input: {size_kib: 32}
  output: {size_kib: 16, double_buffered: false}
memory:
  dram: {type: ddr4}
)";

// Writes `yaml` to a file of this process (ctest runs tests in parallel processes) and returns
// its path.
inline std::string write_temp(const std::string& yaml, const std::string& name = "arch.yaml") {
  const auto dir = std::filesystem::temp_directory_path() / ("qarch_arch_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto path = dir / name;
  std::ofstream(path) << yaml;
  return path.string();
}

// The diagnostics of an architecture that must fail to load, as text (a test failure if it loads).
inline std::vector<std::string> load_problems(const std::string& yaml,
                                              const std::vector<std::string>& sets = {}) {
  std::vector<config::Override> overrides;
  for (const auto& s : sets) overrides.push_back(config::Override::parse(s));
  return qarch::testing::diagnostics_of([&] { load_arch(write_temp(yaml), overrides); });
}

inline std::string replace(std::string text, const std::string& from, const std::string& to) {
  const auto pos = text.find(from);
  if (pos != std::string::npos) text.replace(pos, from.size(), to);
  return text;
}

}  // namespace qarch::arch::testing
