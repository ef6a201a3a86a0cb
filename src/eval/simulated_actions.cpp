#include "eval/simulated_actions.hpp"

#include "arch/layer_formats.hpp"

namespace qarch::eval {

cost::LayerActions simulated_actions(const cost::CostModel& model, const workload::Layer& layer,
                                     const mapping::Mapping& mapping, const sim::LayerStats& stats,
                                     std::int64_t gated_macs) {
  const arch::ArchSpec& arch = model.arch;
  cost::LayerActions actions = cost::actions_from(arch, mapping, arch::resolve_formats(arch, layer));
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

}  // namespace qarch::eval
