// qarch with `sweep` and `pareto`, for tests and scripts until app.cpp's command table lists
// them: those two here (with run_cli's error handling), everything else through run_cli.

#include <boost/program_options/errors.hpp>
#include <iostream>
#include <string>
#include <vector>

#include "cli/app.hpp"
#include "cli/dse_commands.hpp"
#include "config/diagnostic.hpp"
#include "report/output_files.hpp"

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || (args[0] != "sweep" && args[0] != "pareto")) {
    return qarch::cli::run_cli(args, std::cin, std::cout, std::cerr);
  }
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  try {
    return args[0] == "sweep" ? qarch::cli::run_sweep(rest, std::cout, std::cerr)
                              : qarch::cli::run_pareto(rest, std::cout, std::cerr);
  } catch (const boost::program_options::error& e) {
    std::cerr << "error: " << e.what() << " (see 'qarch " << args[0] << " --help')\n";
  } catch (const qarch::config::InputError& e) {
    for (const auto& d : e.diagnostics()) std::cerr << "error: " << d.to_string() << "\n";
  } catch (const qarch::report::OutputError& e) {
    std::cerr << "error: " << e.what() << "\n";
  } catch (const std::exception& e) {
    std::cerr << "error: internal error: " << e.what() << "\n";
    return qarch::cli::kExitInternal;
  }
  return qarch::cli::kExitUsage;
}
