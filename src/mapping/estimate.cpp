#include "mapping/estimate.hpp"

#include <algorithm>
#include <cmath>

namespace qarch::mapping {

Estimate estimate(const arch::ArchSpec& arch, std::int64_t compute_cycles, const DmaProfile& dma) {
  Estimate e;
  e.compute_cycles = compute_cycles;
  e.dram_bytes = dma.read_bytes + dma.write_bytes;
  e.total_cycles = compute_cycles;
  const arch::DramSpec& d = arch.memory.dram;
  if (arch.memory.ideal || d.bandwidth_gb_per_s() <= 0 || arch.clock_ghz <= 0) return e;
  // Peak bandwidth less the share refresh takes; per job an idle read's latency.
  const double refresh = d.timing.refi > 0 ? 1.0 - static_cast<double>(d.timing.rfc) / d.timing.refi : 1.0;
  const double bytes_per_cycle = d.bandwidth_gb_per_s() * refresh / arch.clock_ghz;
  const double overhead = (d.latency_ns + (d.timing.rcd + d.timing.cl) * d.tck_ns) * arch.clock_ghz;
  const auto job_cycles = [&](std::int64_t bytes, std::int64_t jobs) {
    return static_cast<double>(bytes) / bytes_per_cycle + static_cast<double>(jobs) * overhead;
  };
  const double load = job_cycles(dma.read_bytes, dma.load_jobs);
  const double store = job_cycles(dma.write_bytes, dma.store_jobs);
  const double first = dma.load_jobs > 0 ? job_cycles(dma.first_load_bytes, 1) : 0.0;
  const double last = dma.store_jobs > 0 ? job_cycles(dma.last_store_bytes, 1) : 0.0;
  const double exposed = (dma.loads_overlap ? first : load) + (dma.stores_overlap ? last : store);
  const double hidden =
      (dma.loads_overlap ? load - first : 0.0) + (dma.stores_overlap ? store - last : 0.0);
  e.dram_cycles = static_cast<std::int64_t>(std::ceil(load + store));
  e.total_cycles = static_cast<std::int64_t>(
      std::ceil(exposed + std::max(static_cast<double>(compute_cycles), hidden)));
  e.total_cycles = std::max(e.total_cycles, compute_cycles);
  e.stall_cycles = e.total_cycles - compute_cycles;
  return e;
}

}  // namespace qarch::mapping
