#include "cli/run_results.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <stdexcept>

#include "cost/layer_cost.hpp"
#include "cost/mapper_energy.hpp"

namespace qarch::cli {

cost::LayerActions simulated_actions(const cost::CostModel& model, const workload::Layer& layer,
                                     const sim::LayerStats& stats, std::int64_t gated_macs) {
  const arch::ArchSpec& arch = model.arch;
  cost::LayerActions actions = cost::actions_from(arch, layer, cost::mapper_options(model));
  actions.gated_macs = gated_macs;
  // A buffer access moves a whole word: price words x word_bits (the stats' *_bits count only
  // the values' bits).
  const sim::BufferCounts* counts[3] = {&stats.weight_buffer, &stats.input_buffer, &stats.output_buffer};
  const arch::BufferSpec* specs[3] = {&arch.weight_buffer, &arch.input_buffer, &arch.output_buffer};
  for (const cost::Store store : cost::kStores) {
    const sim::BufferCounts& b = *counts[static_cast<int>(store)];
    const std::int64_t word_bits = specs[static_cast<int>(store)]->word_bits;
    actions.buffer(store) = cost::StoreTraffic{b.read_words * word_bits, b.write_words * word_bits};
  }
  actions.dram_read_bytes = stats.dram_read_bytes;
  actions.dram_write_bytes = stats.dram_write_bytes;
  actions.cycles = stats.total_cycles + 1;  // cycles are numbered from 0: the layer lasts one more
  return actions;
}

void add_simulation_and_cost(report::NetworkResult& result, const arch::ArchSpec& arch,
                             const workload::Network& network, const std::vector<sim::LayerStats>& stats,
                             const cost::CostModel& model, const func::FunctionalResult* functional) {
  if (stats.size() != result.layers.size() || network.layers.size() != result.layers.size()) {
    throw std::logic_error("the simulation returned " + std::to_string(stats.size()) +
                           " layers for a network of " + std::to_string(result.layers.size()));
  }
  cost::LayerCost total;
  for (std::size_t i = 0; i < stats.size(); ++i) {
    const sim::LayerStats& s = stats[i];
    report::LayerResult& l = result.layers[i];
    l.total_cycles = s.total_cycles;
    l.compute_cycles = s.compute_cycles;
    l.stall_cycles = s.stall_cycles;
    l.utilization = s.utilization;
    l.mapping_efficiency = s.mapping_efficiency;
    l.dram_read_bytes = s.dram_read_bytes;
    l.dram_write_bytes = s.dram_write_bytes;
    l.dram_row_hits = s.dram_row_hits;
    l.dram_row_misses = s.dram_row_misses;
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
    const cost::LayerCost c = cost::layer_cost(simulated_actions(model, network.layers[i], s, gated), model);
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
  if (functional != nullptr) {
    result.top1 = functional->top1;
    result.images = functional->images;
    result.reference_top1 = functional->reference_top1;
  }
}

std::string default_models_dir() {
  if (const char* dir = std::getenv("QARCH_MODELS_DIR"); dir != nullptr && *dir != '\0') return dir;
  return QARCH_DEFAULT_MODELS_DIR;
}

}  // namespace qarch::cli
