#pragma once
// Running qarch in-process or as a child process, capturing exit code and output.

#include <string>
#include <vector>

namespace qarch::cli::testing {

struct Outcome {
  int status = -1;
  std::string out;
  std::string err;
};

// run_cli with string streams (stdin empty unless given).
Outcome run_in_process(const std::vector<std::string>& args, const std::string& input = "");

// The qarch executable as a child process; stdout and stderr captured separately.
Outcome run_process(const std::vector<std::string>& args);

std::string source_path(const std::string& relative);  // QARCH_SOURCE_DIR/relative

inline const std::string kArch = source_path("configs/tpu-like.yaml");
inline const std::string kLenet = source_path("workloads/lenet5.yaml");

inline bool starts_with(const std::string& text, const std::string& prefix) {
  return text.rfind(prefix, 0) == 0;
}
std::string scratch_dir(const std::string& name);      // a fresh empty temporary directory

}  // namespace qarch::cli::testing
