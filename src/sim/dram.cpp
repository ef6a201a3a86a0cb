#include "sim/dram.hpp"

#include "sim/time.hpp"

namespace qarch::sim {

Dram::Dram(sc_core::sc_module_name name, const arch::ArchSpec& arch)
    : sc_core::sc_module(name),
      socket("socket"),
      timing_(arch.memory.dram, arch.clock_ghz, arch.memory.ideal) {
  socket.register_b_transport(this, &Dram::b_transport);
}

void Dram::b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
  const std::int64_t arrival = to_milli_cycles(sc_core::sc_time_stamp() + delay);
  timing_.post(static_cast<std::int64_t>(trans.get_address()),
               static_cast<std::int64_t>(trans.get_data_length()), trans.is_write(), arrival);
  DramJobEnd* end = nullptr;
  trans.get_extension(end);
  if (end != nullptr) delay = from_milli_cycles(timing_.flush()) - sc_core::sc_time_stamp();
  trans.set_response_status(tlm::TLM_OK_RESPONSE);
}

}  // namespace qarch::sim
