#pragma once
// Off-chip DRAM as a TLM-2.0 target: each transaction is one DMA access (fast engine) or one
// burst (reference engine); the annotated delay is set to when its last data leaves the bus.
// Payloads carry address, length and command only: this is a timing model, data does not move.

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

#include "arch/arch_spec.hpp"
#include "sim/dram_timing.hpp"

namespace qarch::sim {

class Dram : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<Dram> socket;

  Dram(sc_core::sc_module_name name, const arch::ArchSpec& arch);

  const DramCounters& counters() const { return timing_.counters(); }
  int burst_bytes() const { return timing_.burst_bytes(); }

 private:
  void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);

  DramTiming timing_;
};

}  // namespace qarch::sim
