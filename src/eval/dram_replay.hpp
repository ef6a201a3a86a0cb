#pragma once
// `qarch dram`: a request trace replayed through the configured DRAM device (the simulator's
// own DRAM model, sim/dram_controller.hpp), with the metrics DRAMsim3 reports
// (../shared/reference/dram/README.md).
//
// Trace format, one request per line: `<arrival_ns> <R|W> <hex or decimal byte address>`;
// '#' starts a comment. Requests are 64 bytes (a device with smaller bursts serves each as
// several); arrival 0 means as soon as the controller accepts it.

#include <cstdint>
#include <string>

#include "arch/arch_spec.hpp"

namespace qarch::eval {

inline constexpr std::int64_t kTraceRequestBytes = 64;

struct DramReplay {
  std::int64_t requests = 0, reads = 0, writes = 0;
  double total_ns = 0;             // to the last completion
  double gb_per_s = 0;             // requested bytes / total_ns
  double avg_read_latency_ns = 0;  // mean over reads of completion - arrival
  double row_hit_rate = 0;         // column commands that found their row open
  std::int64_t refreshes = 0;
};

// Throws config::InputError naming the file and line of a malformed request, or an unreadable
// file.
DramReplay replay_trace(const arch::DramSpec& dram, const std::string& trace_path);

}  // namespace qarch::eval
