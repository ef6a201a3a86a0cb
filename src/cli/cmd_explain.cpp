// qarch explain: the action counts x cost per action = energy behind every layer's total, so
// any figure of `qarch run` can be checked by hand.

#include <ostream>

#include "arch/arch_spec.hpp"
#include "arch/network_check.hpp"
#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "cli/run_results.hpp"
#include "cost/mapper_energy.hpp"
#include "cost/layer_cost.hpp"
#include "workload/network.hpp"

namespace qarch::cli {

int run_explain(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  po::options_description options("options");
  options.add_options()
      ("arch", po::value<std::string>()->required(), "design point YAML")
      ("workload", po::value<std::string>()->required(), "network YAML or SCALE-Sim topology CSV")
      ("set", po::value<std::vector<std::string>>()->composing(), "override an architecture key")
      ("layer", po::value<std::string>(), "explain only this layer (default: every layer)")
      ("models", po::value<std::string>()->default_value(default_models_dir()),
       "directory of technology tables (models/*.yaml)");
  po::variables_map vm;
  if (!parse_options("explain", "--arch FILE --workload FILE [--layer NAME] [options]", options,
                     args, vm, out)) {
    return 0;
  }
  const auto arch = arch::load_arch(vm["arch"].as<std::string>(), overrides_from(vm));
  const auto network = workload::load_network(vm["workload"].as<std::string>());
  arch::check_network(arch, network);
  const std::string only = vm.count("layer") ? vm["layer"].as<std::string>() : std::string{};
  if (!only.empty() && network.find(only) == nullptr) {
    err << "error: " << network.source_file << ": no layer named '" << only << "'\n";
    return 2;
  }
  const cost::CostModel model = cost::load_cost_model(vm["models"].as<std::string>(), arch);
  const auto stats = sim::simulate(arch, network, sim::Engine::Fast, cost::mapper_options(model));
  out << "cost style: " << arch::to_string(arch.cost_style) << ", technology " << arch.technology
      << " (" << vm["models"].as<std::string>() << ")\n\n";
  for (std::size_t i = 0; i < network.layers.size(); ++i) {
    const workload::Layer& layer = network.layers[i];
    if (!only.empty() && layer.name != only) continue;
    out << cost::explain(simulated_actions(model, layer, stats[i]), model, layer.name) << "\n";
  }
  return 0;
}

}  // namespace qarch::cli
