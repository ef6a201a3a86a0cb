#include "eval/evaluate.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "cost/layer_cost.hpp"
#include "cost/mapper_energy.hpp"
#include "eval/simulated_actions.hpp"
#include "eval/simulated_network.hpp"
#include "func/functional_run.hpp"
#include "arch/network_check.hpp"
#include "mapping/fusion.hpp"
#include "mapping/mapping.hpp"
#include "report/make_result.hpp"
#include "sim/simulate.hpp"

namespace qarch::eval {

namespace {

std::vector<mapping::Mapping> map_all(const arch::ArchSpec& arch, const workload::Network& network,
                                      const cost::CostModel& model, bool search) {
  // The objectives energy and edp price every candidate with this design point's cost model.
  return mapping::map_network(arch, network, cost::mapper_options(model, search));
}

func::FunctionalOptions functional_options(const FunctionalSettings& s) {
  func::FunctionalOptions o;
  o.dataset_dir = s.dataset_dir.empty() ? default_dataset_dir() : s.dataset_dir;
  o.limit = s.limit;
  o.per_channel = s.per_channel;
  o.threads = s.threads;
  o.reference_images = s.reference_images;
  o.progress = s.progress;
  return o;
}

}  // namespace

std::string default_dataset_dir() { return func::kDefaultDatasetDir; }

report::NetworkResult evaluate(const arch::ArchSpec& arch, const workload::Network& network,
                               const Options& options) {
  const cost::CostModel model = cost::load_cost_model(options.models_dir, arch);
  Simulated run;
  run.mappings = map_all(arch, network, model, options.search);
  std::optional<func::FunctionalResult> functional;
  if (options.functional) {
    functional = func::run_functional(arch, network, run.mappings, functional_options(*options.functional));
  }
  run.stats = sim::simulate(arch, run.mappings, sim::Engine::Fast, options.dram_trace);
  report::NetworkResult result = report::make_result(arch, network);
  add_simulation_and_cost(result, network, run, model, functional ? &*functional : nullptr);
  return result;
}

std::string explain(const arch::ArchSpec& arch, const workload::Network& network, const Options& options,
                    const std::string& only_layer) {
  const cost::CostModel model = cost::load_cost_model(options.models_dir, arch);
  Simulated run;
  run.mappings = map_all(arch, network, model, options.search);
  run.stats = sim::simulate(arch, run.mappings, sim::Engine::Fast);
  std::ostringstream out;
  out << "cost style: " << arch::to_string(arch.cost_style) << ", technology " << arch.technology
      << " (" << options.models_dir << ")\n\n";
  for (std::size_t i = 0; i < network.layers.size(); ++i) {
    const workload::Layer& layer = network.layers[i];
    if (!only_layer.empty() && layer.name != only_layer) continue;
    out << cost::explain(simulated_actions(model, layer, run.mappings[i], run.stats[i]), model, layer.name)
        << "\n";
  }
  return out.str();
}

std::string describe_mappings(const arch::ArchSpec& arch, const workload::Network& network,
                              const Options& options, const std::string& only_layer, int top_candidates) {
  std::optional<cost::CostModel> model;
  if (arch.mapper.objective != arch::MapperObjective::Cycles) {
    model = cost::load_cost_model(options.models_dir, arch);
  }
  const mapping::MapperOptions mapper =
      model ? cost::mapper_options(*model, options.search) : mapping::MapperOptions{options.search, {}};
  std::ostringstream out;
  out << "# " << network.name << " on " << arch.name << ": " << arch.pe_array.rows << "x"
      << arch.pe_array.cols << " " << arch::to_string(arch.pe_array.dataflow)
      << (arch.memory.ideal ? ", ideal memory" : "") << ", mapper objective "
      << arch::to_string(arch.mapper.objective) << "\n";
  const std::vector<mapping::Mapping> mappings = mapping::map_network(arch, network, mapper);
  for (std::size_t i = 0; i < network.layers.size(); ++i) {
    const workload::Layer& layer = network.layers[i];
    if (!only_layer.empty() && layer.name != only_layer) continue;
    out << mapping::describe(mappings[i]);
    if (top_candidates > 0) {
      out << mapping::describe_search(mapping::search_layer(arch, layer, mapper),
                                      static_cast<std::size_t>(top_candidates));
    }
  }
  return out.str();
}

}  // namespace qarch::eval
