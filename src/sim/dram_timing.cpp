#include "sim/dram_timing.hpp"

#include <algorithm>
#include <cmath>

namespace qarch::sim {

namespace {

std::int64_t to_mc(double ns, double clock_ghz) {
  return std::llround(ns * clock_ghz * static_cast<double>(kMilliCyclesPerCycle));
}

}  // namespace

DramTiming::DramTiming(const arch::DramSpec& spec, double clock_ghz, bool ideal)
    : ideal_(ideal),
      burst_bytes_(std::max(1, spec.burst_bytes)),
      row_bytes_(std::max(spec.row_buffer_bytes, spec.burst_bytes > 0 ? spec.burst_bytes : 1)),
      burst_mc_(spec.bandwidth_gb_per_s > 0
                    ? std::max<std::int64_t>(1, to_mc(burst_bytes_ / spec.bandwidth_gb_per_s, clock_ghz))
                    : 1),
      latency_mc_(to_mc(spec.latency_ns, clock_ghz)),
      rcd_mc_(to_mc(spec.t_rcd_ns, clock_ghz)),
      rp_mc_(to_mc(spec.t_rp_ns, clock_ghz)),
      cas_mc_(to_mc(spec.t_cas_ns, clock_ghz)),
      banks_(static_cast<std::size_t>(std::max(1, spec.banks))) {}

std::int64_t DramTiming::burst(std::int64_t burst_address, std::int64_t arrival_mc) {
  const std::int64_t chunk = burst_address / row_bytes_;
  const auto bank_count = static_cast<std::int64_t>(banks_.size());
  Bank& bank = banks_[static_cast<std::size_t>(chunk % bank_count)];
  const std::int64_t row = chunk / bank_count;
  ++counters_.bursts;
  std::int64_t command = 0;
  const std::int64_t ready = arrival_mc + latency_mc_;
  if (bank.open_row == row) {
    ++counters_.row_hits;
    command = std::max(ready, bank.column_free_mc);
  } else {
    ++counters_.row_misses;
    command = bank.open_row < 0 ? std::max(ready, bank.column_free_mc) + rcd_mc_
                                : std::max(ready, bank.data_done_mc) + rp_mc_ + rcd_mc_;
    bank.open_row = row;
  }
  // Reads and writes share the bus and the timing; no read/write turnaround is modelled.
  if (ideal_) return arrival_mc;
  const std::int64_t data_start = std::max(command + cas_mc_, bus_free_mc_);
  bus_free_mc_ = data_start + burst_mc_;
  bank.column_free_mc = command + burst_mc_;
  bank.data_done_mc = bus_free_mc_;
  return bus_free_mc_;
}

std::int64_t DramTiming::access(std::int64_t address, std::int64_t bytes, bool write,
                                std::int64_t arrival_mc) {
  if (bytes <= 0) return arrival_mc;
  (write ? counters_.write_bytes : counters_.read_bytes) += bytes;
  const std::int64_t first = address / burst_bytes_;
  const std::int64_t last = (address + bytes - 1) / burst_bytes_;
  std::int64_t done = arrival_mc;
  for (std::int64_t b = first; b <= last; ++b) {
    done = std::max(done, burst(b * burst_bytes_, arrival_mc));
  }
  return done;
}

}  // namespace qarch::sim
