#include "sim/sram.hpp"

namespace qarch::sim {

Sram::Sram(sc_core::sc_module_name name, const arch::BufferSpec& spec)
    : sc_core::sc_module(name), socket("socket"), spec_(spec) {
  socket.register_b_transport(this, &Sram::b_transport);
}

SramCounters Sram::take_counters() {
  const SramCounters c = counters_;
  counters_ = SramCounters{};
  return c;
}

void Sram::b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
  // Fills and drains overlap the array's reads (banked, double-buffered or not: the controller
  // already serialises what a single buffer cannot overlap), so they add no delay here.
  (void)delay;
  const auto bytes = static_cast<std::int64_t>(trans.get_data_length());
  (trans.is_write() ? counters_.fill_bytes : counters_.drain_bytes) += bytes;
  trans.set_response_status(tlm::TLM_OK_RESPONSE);
}

}  // namespace qarch::sim
