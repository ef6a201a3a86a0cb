#include "sim/dram_timing.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ostream>

namespace qarch::sim {

DramTiming::DramTiming(const arch::DramSpec& spec, double clock_ghz, bool ideal)
    : ideal_(ideal), clock_ghz_(clock_ghz), tck_ns_(spec.tck_ns), latency_ns_(spec.latency_ns), controller_(spec) {}

// The first device cycle at or after the request reaches the device (after latency_ns).
std::int64_t DramTiming::to_device(std::int64_t mc) const {
  const double ns = static_cast<double>(mc) / (clock_ghz_ * static_cast<double>(kMilliCyclesPerCycle)) + latency_ns_;
  return static_cast<std::int64_t>(std::ceil(ns / tck_ns_ - 1e-9));
}

std::int64_t DramTiming::from_device(std::int64_t cycle) const {
  const double mc = static_cast<double>(cycle) * tck_ns_ * clock_ghz_ * static_cast<double>(kMilliCyclesPerCycle);
  return static_cast<std::int64_t>(std::ceil(mc - 1e-6));
}

DramCounters DramTiming::counters() const {
  DramCounters c = controller_.counters();
  c.read_bytes = read_bytes_;
  c.write_bytes = write_bytes_;
  return c;
}

void DramTiming::post(std::int64_t address, std::int64_t bytes, bool write, std::int64_t arrival_mc) {
  if (bytes <= 0) return;
  (write ? write_bytes_ : read_bytes_) += bytes;
  if (trace_ != nullptr) {
    const double ns = static_cast<double>(arrival_mc) / (clock_ghz_ * static_cast<double>(kMilliCyclesPerCycle));
    char line[64];
    for (std::int64_t r = address / 64; r <= (address + bytes - 1) / 64; ++r) {
      std::snprintf(line, sizeof line, "%.4f %c %#llx\n", ns, write ? 'W' : 'R', static_cast<unsigned long long>(r * 64));
      *trace_ << line;
    }
  }
  if (pending_.empty()) pending_arrival_mc_ = arrival_mc;
  pending_arrival_mc_ = std::max(pending_arrival_mc_, arrival_mc);
  const std::int64_t burst = controller_.burst_bytes();
  const std::int64_t arrival = to_device(arrival_mc);
  for (std::int64_t b = address / burst; b <= (address + bytes - 1) / burst; ++b) {
    DramRequest& q = pending_.emplace_back();  // in place: copying a temporary stalls on store forwarding
    q.address = b * burst;
    q.write = write;
    q.arrival = arrival;
  }
}

std::int64_t DramTiming::flush() {
  if (pending_.empty()) return pending_arrival_mc_;
  if (ideal_) {
    controller_.count(pending_);
    pending_.clear();
    return pending_arrival_mc_;
  }
  const std::int64_t last = controller_.serve(pending_);
  pending_.clear();
  return std::max(pending_arrival_mc_, from_device(last));
}

}  // namespace qarch::sim
