// qarch explain: the action counts x cost per action = energy behind every layer's total, so
// any figure of `qarch run` can be checked by hand.

#include <ostream>

#include "arch/arch_spec.hpp"
#include "arch/network_check.hpp"
#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "eval/evaluate.hpp"
#include "workload/network.hpp"

namespace qarch::cli {

int run_explain(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  po::options_description options("options");
  options.add_options()
      ("arch", po::value<std::string>()->required(), "design point YAML")
      ("workload", po::value<std::string>()->required(), "network YAML or SCALE-Sim topology CSV")
      ("set", po::value<std::vector<std::string>>()->composing(), "override an architecture key, or a workload key as workload.KEY (e.g. workload.batch=4, workload.layers.conv1.weight_format=int4)")
      ("layer", po::value<std::string>(), "explain only this layer (default: every layer)")
      ("models", po::value<std::string>()->default_value(default_models_dir()),
       "directory of technology tables (models/*.yaml)");
  po::variables_map vm;
  if (!parse_options("explain", "--arch FILE --workload FILE [--layer NAME] [options]", options,
                     args, vm, out)) {
    return 0;
  }
  const auto arch = arch::load_arch(vm["arch"].as<std::string>(), overrides_from(vm), vm["models"].as<std::string>());
  const auto network = network_from(vm);
  arch::check_network(arch, network);
  const std::string only = vm.count("layer") ? vm["layer"].as<std::string>() : std::string{};
  if (!only.empty() && network.find(only) == nullptr) {
    err << "error: " << network.source_file << ": no layer named '" << only << "'\n";
    return 2;
  }
  eval::Options explain_options;
  explain_options.models_dir = vm["models"].as<std::string>();
  out << eval::explain(arch, network, explain_options, only);
  return 0;
}

}  // namespace qarch::cli
