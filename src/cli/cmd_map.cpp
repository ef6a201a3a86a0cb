#include "cli/cmd_map.hpp"

#include <ostream>

#include "arch/arch_spec.hpp"
#include "cli/options.hpp"
#include "mapping/mapping.hpp"
#include "workload/network.hpp"

namespace qarch::cli {

int run_map(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  po::options_description options("options");
  options.add_options()
      ("arch", po::value<std::string>()->required(), "design point YAML")
      ("workload", po::value<std::string>()->required(), "network YAML or SCALE-Sim topology CSV")
      ("set", po::value<std::vector<std::string>>()->composing(), "override an architecture key")
      ("layer", po::value<std::string>(), "print only this layer");
  po::variables_map vm;
  try {
    if (!parse_options("map", "--arch FILE --workload FILE [--set KEY=VALUE]... [--layer NAME]",
                       options, args, vm, out)) {
      return 0;
    }
  } catch (const po::error& e) {
    err << "error: " << e.what() << "\n";
    return 2;
  }
  const arch::ArchSpec arch = arch::load_arch(vm["arch"].as<std::string>(), overrides_from(vm));
  const workload::Network net = workload::load_network(vm["workload"].as<std::string>());
  const std::string only = vm.count("layer") ? vm["layer"].as<std::string>() : std::string();
  if (!only.empty() && net.find(only) == nullptr) {
    err << "error: no layer named '" << only << "' in " << vm["workload"].as<std::string>() << "\n";
    return 2;
  }
  out << "# " << net.name << " on " << arch.name << ": " << arch.pe_array.rows << "x"
      << arch.pe_array.cols << " " << arch::to_string(arch.pe_array.dataflow) << "\n";
  for (const workload::Layer& layer : net.layers) {
    if (!only.empty() && layer.name != only) continue;
    out << mapping::describe(mapping::map_layer(arch, layer));
  }
  return 0;
}

}  // namespace qarch::cli
