#include "cli/simulation_results.hpp"

#include <stdexcept>

namespace qarch::cli {

void add_simulation(report::NetworkResult& result, const std::vector<sim::LayerStats>& stats) {
  if (stats.size() != result.layers.size()) {
    throw std::logic_error("the simulation returned " + std::to_string(stats.size()) +
                           " layers for a network of " + std::to_string(result.layers.size()));
  }
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
  }
}

}  // namespace qarch::cli
