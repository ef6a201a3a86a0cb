#pragma once
// Shared helpers of the cost tests: the repository's models/ and configs/ directories, and a
// scratch models directory for tables written by a test.

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "arch/arch_spec.hpp"
#include "cost/cost_model.hpp"

namespace qarch::cost::testing {

inline std::string models_dir() { return std::string(QARCH_SOURCE_DIR) + "/models"; }
inline std::string config_path(const std::string& name) {
  return std::string(QARCH_SOURCE_DIR) + "/configs/" + name + ".yaml";
}
inline std::string workload_path(const std::string& name) {
  return std::string(QARCH_SOURCE_DIR) + "/workloads/" + name + ".yaml";
}

inline arch::ArchSpec preset(const std::string& name) { return arch::load_arch(config_path(name)); }

inline CostModel preset_model(const std::string& name) {
  return load_cost_model(models_dir(), preset(name));
}

// A models directory of this process holding `files` (name -> YAML text).
inline std::string scratch_models(const std::string& test, const std::map<std::string, std::string>& files) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("qarch_cost_test_" + std::to_string(::getpid()) + "_" + test);
  std::filesystem::create_directories(dir);
  for (const auto& [name, text] : files) std::ofstream(dir / (name + ".yaml")) << text;
  return dir.string();
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace qarch::cost::testing
