#pragma once
// The qarch command line as a function, so tests can drive it in-process. main() is a thin
// wrapper. Exit codes: 0 success, 2 user error (message on `err` starting with "error:"),
// 1 internal error.

#include <iosfwd>
#include <string>
#include <vector>

namespace qarch::cli {

constexpr int kExitOk = 0;
constexpr int kExitInternal = 1;
constexpr int kExitUsage = 2;

// `args` excludes the program name.
int run_cli(const std::vector<std::string>& args, std::istream& in, std::ostream& out, std::ostream& err);

}  // namespace qarch::cli
