#pragma once
// What the modules count while a layer runs, and how it becomes LayerStats (plain C++: the
// formulas that turn counts into words and bits live here, not in the SystemC processes).

#include <cstdint>

#include "arch/arch_spec.hpp"
#include "mapping/fold_plan.hpp"
#include "sim/dram_timing.hpp"
#include "sim/simulate.hpp"

namespace qarch::sim {

struct LayerCounters {
  mapping::FoldAccesses accesses;          // buffer traffic in elements, and MACs
  std::int64_t fill_bytes[3] = {0, 0, 0};  // DRAM -> buffer, by mapping::Operand
  std::int64_t drain_bytes = 0;            // output buffer -> DRAM
  std::int64_t busy_cycles = 0;            // sum of fold durations, SRAM stalls included
  std::int64_t sram_stall_cycles = 0;      // the array waiting for its buffers' ports
  std::int64_t folds = 0;
  std::int64_t start_cycle = 0, end_cycle = 0;
  DramCounters dram;                       // this layer's share of the DRAM counters

  void add(const mapping::FoldAccesses& a);
};

// Counters of one layer -> its statistics: buffer traffic in words and bits (packed values,
// DMA fills and drains), DRAM, cycles. Register files are the cost model's (cost/actions.hpp).
LayerStats make_layer_stats(const arch::ArchSpec& arch, const mapping::Mapping& mapping,
                            const LayerCounters& counters);

}  // namespace qarch::sim
