// The qarch executable: everything lives in the libraries; see cli/app.hpp.

#include <iostream>

#include "cli/app.hpp"

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  const std::vector<std::string> args(argv + 1, argv + argc);
  const int status = qarch::cli::run_cli(args, std::cin, std::cout, std::cerr);
  std::cout.flush();
  return std::cout ? status : qarch::cli::kExitInternal;
}
