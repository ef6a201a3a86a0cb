#include "eval/simulated_network.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "arch/network_check.hpp"
#include "cost/layer_cost.hpp"
#include "cost/voltage_scaling.hpp"
#include "eval/simulated_actions.hpp"
#include "mapping/fusion.hpp"

namespace qarch::eval {

namespace {

// pe_array.dvafs (cost/voltage_scaling.hpp): a layer the array runs faster than at its own
// widths runs at a clock that much lower, for the time it would take at them, at the lowest
// supply that clock allows. Its compute cycles, counted in nominal clocks, grow by the slowdown;
// the memory stalls are kept as simulated (at the longer compute some of them would hide).
void apply_dvafs(const cost::CostModel& model, const mapping::Mapping& mp, const sim::LayerStats& s,
                 report::LayerResult& l, cost::LayerActions& actions) {
  const cost::OperatingPoint op = cost::operating_point(model.tech, cost::dvafs_slowdown(model.arch, mp));
  l.supply_v = op.voltage_v;
  l.clock_ghz = model.arch.clock_ghz / op.slowdown;
  if (op.slowdown == 1.0) return;
  // Cycles are numbered from 0: the compute lasts compute_cycles + 1 clocks.
  const auto stretched = static_cast<std::int64_t>(std::ceil(static_cast<double>(s.compute_cycles + 1) * op.slowdown));
  l.compute_cycles = stretched - 1;
  l.total_cycles = *l.compute_cycles + s.stall_cycles;
  if (*l.total_cycles > 0) {
    l.utilization = s.utilization * static_cast<double>(s.total_cycles) / static_cast<double>(*l.total_cycles);
  }
  actions.cycles = *l.total_cycles + 1;
  actions.array_voltage_ratio = op.voltage_ratio();
}

}  // namespace

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
    cost::LayerActions actions = simulated_actions(model, network.layers[i], run.mappings[i], s, gated);
    if (arch.pe_array.dvafs && !run.mappings[i].vector) apply_dvafs(model, run.mappings[i], s, l, actions);
    const cost::LayerCost c = cost::layer_cost(actions, model);
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
    result.reference_images = functional->reference_images;
    if (functional->reference_images > 0) result.reference_top1 = functional->reference_top1;
    if (functional->perplexity) {
      result.scored_tokens = functional->positions;
      result.perplexity = functional->perplexity;
      if (functional->reference_images > 0) result.reference_perplexity = functional->reference_perplexity;
    }
  }
}

}  // namespace qarch::eval
