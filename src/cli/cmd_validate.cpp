// qarch validate: every problem in an architecture (and a workload) in one pass, nothing run.

#include <ostream>

#include "arch/arch_spec.hpp"
#include "arch/network_check.hpp"
#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "workload/network.hpp"

namespace qarch::cli {

int run_validate(const std::vector<std::string>& args, std::ostream& out, std::ostream& /*err*/) {
  po::options_description options("options");
  options.add_options()
      ("arch", po::value<std::string>()->required(), "design point YAML")
      ("workload", po::value<std::string>(), "network YAML or SCALE-Sim topology CSV (optional)")
      ("set", po::value<std::vector<std::string>>()->composing(), "override an architecture key, or a workload key as workload.KEY (e.g. workload.batch=4, workload.layers.conv1.weight_format=int4)")
      ("models", po::value<std::string>()->default_value(default_models_dir()),
       "directory of technology tables and DRAM devices (models/)");
  po::variables_map vm;
  if (!parse_options("validate", "--arch FILE [--workload FILE] [--set KEY=VALUE]...", options,
                     args, vm, out)) {
    return 0;
  }
  // Check both files even when the first has problems, and report everything at once.
  std::vector<config::Diagnostic> problems;
  std::optional<arch::ArchSpec> arch;
  std::optional<workload::Network> network;
  try {
    arch = arch::load_arch(vm["arch"].as<std::string>(), overrides_from(vm), vm["models"].as<std::string>());
  } catch (const config::InputError& e) {
    problems.insert(problems.end(), e.diagnostics().begin(), e.diagnostics().end());
  }
  if (vm.count("workload")) {
    try {
      network = network_from(vm);
    } catch (const config::InputError& e) {
      problems.insert(problems.end(), e.diagnostics().begin(), e.diagnostics().end());
    }
  }
  if (arch && network) {
    try {
      arch::check_network(*arch, *network);
    } catch (const config::InputError& e) {
      problems.insert(problems.end(), e.diagnostics().begin(), e.diagnostics().end());
    }
  }
  if (!problems.empty()) throw config::InputError(problems);
  out << "ok\n";
  return 0;
}

}  // namespace qarch::cli
