#pragma once
// One on-chip buffer (weights, inputs or outputs): its configuration (capacity, banks, word
// width, ports, double buffering; the mapping has already tiled to it) and its action counters.
// The DMA fills and drains it through a TLM-2.0 target socket; the PE array's edge feeders
// report the elements they read and write.

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

#include "arch/arch_spec.hpp"

namespace qarch::sim {

struct SramCounters {
  std::int64_t read_elements = 0, write_elements = 0;  // by the PE array
  std::int64_t fill_bytes = 0, drain_bytes = 0;        // by the DMA
};

class Sram : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<Sram> socket;

  Sram(sc_core::sc_module_name name, const arch::BufferSpec& spec);

  const arch::BufferSpec& spec() const { return spec_; }
  void record_array_access(std::int64_t read_elements, std::int64_t write_elements) {
    counters_.read_elements += read_elements;
    counters_.write_elements += write_elements;
  }
  SramCounters take_counters();  // returns and clears (per layer)

 private:
  void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);

  arch::BufferSpec spec_;
  SramCounters counters_;
};

}  // namespace qarch::sim
