#pragma once
// DRAM timing as plain C++ (the Dram module wraps it in a TLM-2.0 target): an open-page,
// bank-interleaved device behind one data bus of the configured bandwidth.
//
// Times are in milli-cycles of the accelerator clock (1 cycle = 1000), integers, so both sim
// engines get bit-identical results. Per burst of burst_bytes:
//   request reaches the device at arrival + latency;
//   row hit: column command when the bank's column path is free;
//   empty bank: + tRCD; row conflict: wait for the bank's last data, + tRP + tRCD;
//   data on the bus at max(command + tCAS, bus free), for burst_bytes / bandwidth.
// Address map: row-buffer-sized chunks rotate over the banks (row : bank : column), so a
// sequential stream opens the next bank's row while the current one streams. Refresh is not
// modelled.

#include <cstdint>
#include <vector>

#include "arch/arch_spec.hpp"

namespace qarch::sim {

inline constexpr std::int64_t kMilliCyclesPerCycle = 1000;

struct DramCounters {
  std::int64_t read_bytes = 0, write_bytes = 0;
  std::int64_t bursts = 0, row_hits = 0, row_misses = 0;
};

class DramTiming {
 public:
  // ideal: every access completes at its arrival (no bandwidth or latency limit) but is still
  // counted (bytes, bursts, row hits and misses).
  DramTiming(const arch::DramSpec& spec, double clock_ghz, bool ideal);

  // One access of `bytes` at `address` whose requests all arrive at `arrival_mc`; returns when
  // its last data leaves the bus. Updates bank state and counters.
  std::int64_t access(std::int64_t address, std::int64_t bytes, bool write, std::int64_t arrival_mc);

  int burst_bytes() const { return burst_bytes_; }
  const DramCounters& counters() const { return counters_; }
  void reset_counters() { counters_ = DramCounters{}; }

 private:
  std::int64_t burst(std::int64_t burst_address, std::int64_t arrival_mc);

  struct Bank {
    std::int64_t open_row = -1;
    std::int64_t column_free_mc = 0;  // next column command
    std::int64_t data_done_mc = 0;    // last data of this bank (precharge may follow)
  };

  bool ideal_;
  int burst_bytes_;
  std::int64_t row_bytes_;
  std::int64_t burst_mc_, latency_mc_, rcd_mc_, rp_mc_, cas_mc_;
  std::int64_t bus_free_mc_ = 0;
  std::vector<Bank> banks_;
  DramCounters counters_;
};

}  // namespace qarch::sim
