#pragma once
// The simulation time base: 1 accelerator cycle = 1 ns of SystemC time, resolution 1 ps, so a
// SystemC time value in ps is the milli-cycle count of dram_timing.hpp.

#include <systemc>

#include "sim/dram_timing.hpp"

namespace qarch::sim {

inline std::int64_t to_milli_cycles(const sc_core::sc_time& t) {
  return static_cast<std::int64_t>(t.value());  // resolution 1 ps (simulate.cpp)
}
inline sc_core::sc_time from_milli_cycles(std::int64_t mc) {
  return sc_core::sc_time(static_cast<double>(mc), sc_core::SC_PS);
}
inline std::int64_t now_cycle() { return to_milli_cycles(sc_core::sc_time_stamp()) / kMilliCyclesPerCycle; }
inline std::int64_t ceil_cycle(std::int64_t mc) {
  return (mc + kMilliCyclesPerCycle - 1) / kMilliCyclesPerCycle;
}

}  // namespace qarch::sim
