#include "eval/evaluate.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "cost/layer_cost.hpp"
#include "cost/mapper_energy.hpp"
#include "eval/simulated_actions.hpp"
#include "func/functional_run.hpp"
#include "arch/network_check.hpp"
#include "mapping/fusion.hpp"
#include "mapping/mapping.hpp"
#include "report/make_result.hpp"
#include "sim/simulate.hpp"

namespace qarch::eval {

namespace {

// One mapping per layer, and what the simulator measured running them.
struct Simulated {
  std::vector<mapping::Mapping> mappings;
  std::vector<sim::LayerStats> stats;
};

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
  return o;
}

// Timing from the simulation, energy per layer and component, area and throughput figures from
// `model`; `functional` (optional) adds value statistics, top-1, and zero-gated MACs to the energy.
void add_simulation_and_cost(report::NetworkResult& result, const workload::Network& network,
                             const Simulated& run, const cost::CostModel& model,
                             const func::FunctionalResult* functional) {
  const arch::ArchSpec& arch = model.arch;
  if (run.stats.size() != result.layers.size() || network.layers.size() != result.layers.size()) {
    throw std::logic_error("the simulation returned " + std::to_string(run.stats.size()) +
                           " layers for a network of " + std::to_string(result.layers.size()));
  }
  cost::LayerCost total;
  for (std::size_t i = 0; i < run.stats.size(); ++i) {
    const sim::LayerStats& s = run.stats[i];
    report::LayerResult& l = result.layers[i];
    l.total_cycles = s.total_cycles;
    l.compute_cycles = s.compute_cycles;
    l.stall_cycles = s.stall_cycles;
    l.sram_stall_cycles = s.sram_stall_cycles;
    l.utilization = s.utilization;
    l.mapping_efficiency = s.mapping_efficiency;
    l.dram_read_bytes = s.dram_read_bytes;
    l.dram_write_bytes = s.dram_write_bytes;
    l.dram_row_hits = s.dram_row_hits;
    l.dram_row_misses = s.dram_row_misses;
    l.fused_into = run.mappings[i].on_chip.fused_into;
    std::int64_t gated = 0;
    if (functional != nullptr && functional->images > 0) {
      const func::LayerValueStats& v = functional->layers.at(i);
      l.zero_weight_operands = v.zero_weight_operands;
      l.zero_activation_operands = v.zero_activation_operands;
      l.zero_operand_macs = v.zero_operand_macs;
      l.zero_gated_macs = v.zero_gated_macs;
      l.saturated_values = v.saturated_values;
      l.overflowed_accumulations = v.overflowed_accumulations;
      if (std::isfinite(v.sqnr_db)) l.sqnr_db = v.sqnr_db;
      // The statistics cover `images` single-image inferences; the energy is of one batch.
      const long double per_batch = static_cast<long double>(v.zero_gated_macs) * network.batch /
                                    static_cast<long double>(functional->images);
      gated = std::min<std::int64_t>(s.macs, static_cast<std::int64_t>(std::llround(per_batch)));
    }
    const cost::LayerCost c =
        cost::layer_cost(simulated_actions(model, network.layers[i], run.mappings[i], s, gated), model);
    l.energy_pj = c.total_pj;
    l.energy_breakdown_pj = c.energy_pj;
    total += c;
  }
  result.energy_pj = total.total_pj;
  result.energy_breakdown_pj = total.energy_pj;
  result.area_um2 = model.area.total_um2;
  result.area_breakdown_um2 = model.area.area_um2;
  result.peak_tops = cost::peak_tops(arch);
  result.tops_per_mm2 = cost::tops_per_mm2(model);
  result.cost_style = std::string(arch::to_string(arch.cost_style));
  const mapping::OnChipSummary on_chip = mapping::summarize_on_chip(arch, network, run.mappings);
  const arch::WeightFootprint weights = arch::weight_footprint(arch, network);
  report::OnChipResult& o = result.on_chip.emplace();
  o.fuse_layers = arch.memory.fuse_layers;
  o.fused_outputs = on_chip.fused_outputs;
  o.fusion_dram_bytes_saved = on_chip.fusion_bytes_saved;
  o.fusion_dram_bytes_possible = on_chip.fusion_bytes_possible;
  o.weights_resident = arch::weights_resident(arch, network);
  o.weights_resident_setting = std::string(arch::to_string(arch.memory.weights_resident));
  o.weight_buffer_bytes = weights.buffer_bytes;
  o.weight_dram_bytes_saved = on_chip.weight_bytes_saved;
  if (functional != nullptr) {
    result.top1 = functional->top1;
    result.images = functional->images;
    result.reference_top1 = functional->reference_top1;
  }
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
