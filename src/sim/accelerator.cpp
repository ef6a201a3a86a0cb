#include "sim/accelerator.hpp"

#include <utility>

#include "sim/time.hpp"

namespace qarch::sim {

Accelerator::Accelerator(sc_core::sc_module_name name, const arch::ArchSpec& arch,
                         std::vector<mapping::Mapping> mappings, Engine engine)
    : sc_core::sc_module(name),
      arch_(arch),
      mappings_(std::move(mappings)),
      dram_("dram", arch_),
      weights_("weight_buffer", arch_.weight_buffer),
      inputs_("input_buffer", arch_.input_buffer),
      outputs_("output_buffer", arch_.output_buffer),
      dma_("dma", engine, dram_.burst_bytes()),
      pe_array_("pe_array", engine, weights_, inputs_, outputs_),
      controller_("controller", engine, arch_, mappings_,
                  AcceleratorParts{dram_, weights_, inputs_, outputs_, dma_, pe_array_}) {
  dma_.dram_socket.bind(dram_.socket);
  dma_.weight_socket.bind(weights_.socket);
  dma_.input_socket.bind(inputs_.socket);
  dma_.output_socket.bind(outputs_.socket);
  if (engine == Engine::Reference) {
    clock_ = std::make_unique<sc_core::sc_clock>("clock", sc_core::sc_time(1, sc_core::SC_NS));
    SC_HAS_PROCESS(Accelerator);
    SC_METHOD(tick);
    sensitive << clock_->posedge_event();
    dont_initialize();
  }
}

void Accelerator::tick() {
  // Order inside a cycle: finished DMA jobs retire, the controller acts on what it sees, the DMA
  // starts queued jobs (zero-time jobs can retire at once, hence the loop), then every PE moves.
  const std::int64_t now = now_cycle();
  bool progress = true;
  while (progress) {
    progress = dma_.retire(now);
    progress = controller_.step(now) || progress;
    progress = dma_.start_if_idle(now) || progress;
  }
  pe_array_.step();
  if (controller_.finished()) next_trigger(never_);
}

}  // namespace qarch::sim
