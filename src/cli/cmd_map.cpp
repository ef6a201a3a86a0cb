#include "cli/cmd_map.hpp"

#include <ostream>

#include "arch/arch_spec.hpp"
#include "cli/options.hpp"
#include "eval/evaluate.hpp"
#include "workload/network.hpp"

namespace qarch::cli {

int run_map(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  po::options_description options("options");
  options.add_options()
      ("arch", po::value<std::string>()->required(), "design point YAML")
      ("workload", po::value<std::string>()->required(), "network YAML or SCALE-Sim topology CSV")
      ("set", po::value<std::vector<std::string>>()->composing(), "override an architecture key, or a workload key as workload.KEY (e.g. workload.batch=4, workload.layers.conv1.weight_format=int4)")
      ("layer", po::value<std::string>(), "print only this layer")
      ("candidates", po::value<int>()->implicit_value(10),
       "also list the mapper's best N candidates (default 10) and why the winner won")
      ("no-search", "SCALE-Sim's loop nest only (no loop reordering or stream tiling)")
      ("models", po::value<std::string>()->default_value(default_models_dir()),
       "directory of technology tables, for mapper.objective energy or edp");
  po::variables_map vm;
  try {
    if (!parse_options("map",
                       "--arch FILE --workload FILE [--set KEY=VALUE]... [--layer NAME] "
                       "[--candidates [N]] [--no-search] [--models DIR]",
                       options, args, vm, out)) {
      return 0;
    }
  } catch (const po::error& e) {
    err << "error: " << e.what() << "\n";
    return 2;
  }
  const arch::ArchSpec arch = arch::load_arch(vm["arch"].as<std::string>(), overrides_from(vm), vm["models"].as<std::string>());
  const workload::Network net = network_from(vm);
  const std::string only = vm.count("layer") ? vm["layer"].as<std::string>() : std::string();
  if (!only.empty() && net.find(only) == nullptr) {
    err << "error: no layer named '" << only << "' in " << vm["workload"].as<std::string>() << "\n";
    return 2;
  }
  const int top = vm.count("candidates") ? vm["candidates"].as<int>() : 0;
  if (top < 0) {
    err << "error: --candidates expects a count >= 0, got " << top << "\n";
    return 2;
  }
  eval::Options map_options;
  map_options.models_dir = vm["models"].as<std::string>();
  map_options.search = vm.count("no-search") == 0;
  out << eval::describe_mappings(arch, net, map_options, only, top);
  return 0;
}

}  // namespace qarch::cli
