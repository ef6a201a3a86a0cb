#pragma once
// The mapper's fast analytic estimate of a mapped layer's time: compute cycles in closed form,
// DRAM time from bytes and bandwidth plus a fixed access overhead per DMA job, and how much of
// the DRAM time hides under compute. First-order by design (peak bandwidth, no row-buffer
// effects): it ranks candidates; the simulator gives the real stalls.

#include <cstdint>

#include "arch/arch_spec.hpp"

namespace qarch::mapping {

// What the DMA does for a layer, summed over all groups.
struct DmaProfile {
  std::int64_t read_bytes = 0, write_bytes = 0;
  std::int64_t load_jobs = 0, store_jobs = 0;  // folds that load / store anything
  std::int64_t first_load_bytes = 0;           // before the first fold: never hidden
  std::int64_t last_store_bytes = 0;           // after the last fold: never hidden
  bool loads_overlap = true;   // every buffer loaded into is double-buffered (prefetch)
  bool stores_overlap = true;  // the output buffer is double-buffered
};

struct Estimate {
  std::int64_t compute_cycles = 0;  // as Mapping::compute_cycles
  std::int64_t dram_bytes = 0;      // read + written
  std::int64_t dram_cycles = 0;     // DMA busy time: bytes / bandwidth + jobs x access overhead
  std::int64_t stall_cycles = 0;    // total - compute
  std::int64_t total_cycles = 0;
};

// With b = the device's peak bandwidth less its refresh share (1 - tRFC / tREFI), in bytes per
// cycle, and o = latency_ns + (tRCD + CL) tCK in cycles:
//   load = read / b + load_jobs * o,  store = write / b + store_jobs * o,
//   first = o + first_load_bytes / b,  last = o + last_store_bytes / b,
//   exposed = (loads_overlap ? first : load) + (stores_overlap ? last : store),
//   hidden  = (loads_overlap ? load - first : 0) + (stores_overlap ? store - last : 0),
//   total = ceil(exposed + max(compute, hidden)).
// With memory.ideal every DRAM term is 0, so total = compute.
Estimate estimate(const arch::ArchSpec& arch, std::int64_t compute_cycles, const DmaProfile& dma);

}  // namespace qarch::mapping
