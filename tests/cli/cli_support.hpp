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
std::string scratch_dir(const std::string& name);      // a fresh empty temporary directory

}  // namespace qarch::cli::testing
