#include "cli/cmd_map.hpp"

#include <optional>
#include <ostream>

#include "arch/arch_spec.hpp"
#include "cli/options.hpp"
#include "cli/run_results.hpp"
#include "cost/mapper_energy.hpp"
#include "mapping/mapping.hpp"
#include "workload/network.hpp"

namespace qarch::cli {

int run_map(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  po::options_description options("options");
  options.add_options()
      ("arch", po::value<std::string>()->required(), "design point YAML")
      ("workload", po::value<std::string>()->required(), "network YAML or SCALE-Sim topology CSV")
      ("set", po::value<std::vector<std::string>>()->composing(), "override an architecture key")
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
  const arch::ArchSpec arch = arch::load_arch(vm["arch"].as<std::string>(), overrides_from(vm));
  const workload::Network net = workload::load_network(vm["workload"].as<std::string>());
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
  const bool search = vm.count("no-search") == 0;
  // Objectives energy and edp price every candidate with the design point's cost model.
  std::optional<cost::CostModel> model;
  if (arch.mapper.objective != arch::MapperObjective::Cycles) {
    model = cost::load_cost_model(vm["models"].as<std::string>(), arch);
  }
  const mapping::MapperOptions mapper = model ? cost::mapper_options(*model, search) : mapping::MapperOptions{search, {}};
  out << "# " << net.name << " on " << arch.name << ": " << arch.pe_array.rows << "x"
      << arch.pe_array.cols << " " << arch::to_string(arch.pe_array.dataflow)
      << (arch.memory.ideal ? ", ideal memory" : "") << ", mapper objective "
      << arch::to_string(arch.mapper.objective) << "\n";
  for (const workload::Layer& layer : net.layers) {
    if (!only.empty() && layer.name != only) continue;
    out << mapping::describe(mapping::map_layer(arch, layer, mapper));
    if (top > 0) {
      out << mapping::describe_search(mapping::search_layer(arch, layer, mapper),
                                      static_cast<std::size_t>(top));
    }
  }
  return 0;
}

}  // namespace qarch::cli
