#pragma once
// The DRAM as the accelerator sees it: the device model (dram_controller.hpp) behind a clock
// crossing. The DMA posts the bursts of one job, all arriving at the job's start, and flushes;
// the controller serves them (reordering within the job as FR-FCFS does) and the job is done
// when its last burst completes. Times on this side are milli-cycles of the accelerator clock
// (1 cycle = 1000), integers, so both sim engines get bit-identical results: each engine
// posts the same bursts in the same order.

#include <cstdint>
#include <iosfwd>
#include <vector>

#include "arch/arch_spec.hpp"
#include "sim/dram_controller.hpp"

namespace qarch::sim {

inline constexpr std::int64_t kMilliCyclesPerCycle = 1000;

class DramTiming {
 public:
  // ideal: every access completes at its arrival (no bandwidth or latency limit) but is still
  // counted: bytes, bursts, and row hits and misses in arrival order (DramController::count).
  DramTiming(const arch::DramSpec& spec, double clock_ghz, bool ideal);

  // The bursts covering [address, address + bytes), arriving at `arrival_mc`.
  void post(std::int64_t address, std::int64_t bytes, bool write, std::int64_t arrival_mc);
  // Serves everything posted; returns when the last of it completes (its arrival if ideal, or
  // if nothing was posted).
  std::int64_t flush();

  // Writes every posted access as 64-byte requests in the trace format of `qarch dram`
  // (eval/dram_replay.hpp), arrival in ns of the accelerator clock, to `out` (nullptr: none).
  void trace_to(std::ostream* out) { trace_ = out; }

  int burst_bytes() const { return controller_.burst_bytes(); }
  // Bytes as requested (not rounded to bursts); bursts, row hits and misses and refreshes as
  // the device served them.
  DramCounters counters() const;

 private:
  std::int64_t to_device(std::int64_t mc) const;
  std::int64_t from_device(std::int64_t cycle) const;

  bool ideal_;
  double clock_ghz_, tck_ns_, latency_ns_;
  DramController controller_;
  std::vector<DramRequest> pending_;
  std::int64_t read_bytes_ = 0, write_bytes_ = 0;
  std::ostream* trace_ = nullptr;
  std::int64_t pending_arrival_mc_ = 0;
};

}  // namespace qarch::sim
