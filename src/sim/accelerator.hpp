#pragma once
// The top module: DRAM, the three buffers, DMA, PE array (with the vector unit) and the
// controller, wired as in docs/architecture.md. It runs the given mappings (one per layer) in
// order.

#include <memory>
#include <systemc>
#include <vector>

#include "sim/controller.hpp"

namespace qarch::sim {

class Accelerator : public sc_core::sc_module {
 public:
  Accelerator(sc_core::sc_module_name name, const arch::ArchSpec& arch,
              std::vector<mapping::Mapping> mappings, Engine engine);

  bool finished() const { return controller_.finished(); }
  const std::vector<LayerStats>& stats() const { return controller_.stats(); }
  void trace_dram_to(std::ostream* out) { dram_.trace_to(out); }

 private:
  void tick();  // reference engine: one clock edge

  arch::ArchSpec arch_;
  std::vector<mapping::Mapping> mappings_;
  Dram dram_;
  Sram weights_, inputs_, outputs_;
  Dma dma_;
  PeArray pe_array_;
  Controller controller_;
  std::unique_ptr<sc_core::sc_clock> clock_;
  sc_core::sc_event never_;
};

}  // namespace qarch::sim
