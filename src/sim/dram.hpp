#pragma once
// Off-chip DRAM as a TLM-2.0 target. Each transaction is one DMA access (fast engine) or one
// burst (reference engine) of a DMA job; the DMA marks the job's last transaction with a
// DramJobEnd extension. Earlier transactions are posted (zero delay); the last one's delay is
// set to when the job's last data completes, after the device served the whole job
// (dram_timing.hpp). Payloads carry address, length and command only: this is a timing model,
// data does not move.

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

#include "arch/arch_spec.hpp"
#include "sim/dram_timing.hpp"

namespace qarch::sim {

// Set on the last transaction of a DMA job.
struct DramJobEnd : tlm::tlm_extension<DramJobEnd> {
  tlm::tlm_extension_base* clone() const override { return new DramJobEnd(*this); }
  void copy_from(const tlm::tlm_extension_base&) override {}
};

class Dram : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<Dram> socket;

  Dram(sc_core::sc_module_name name, const arch::ArchSpec& arch);

  DramCounters counters() const { return timing_.counters(); }
  void trace_to(std::ostream* out) { timing_.trace_to(out); }
  int burst_bytes() const { return timing_.burst_bytes(); }

 private:
  void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);

  DramTiming timing_;
};

}  // namespace qarch::sim
