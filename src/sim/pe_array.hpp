#pragma once
// The PE array (rows x cols, dataflow and MAC style from the mapping) together with the vector
// unit on its output side. It runs one fold at a time when the controller starts it, reads its
// operands from the buffers' edge feeders and writes sums to the output buffer.
//
// Fast engine: a thread waits the fold's closed-form cycles plus its SRAM stalls (the dataflow's
// closed-form edge demand priced by the buffers' ports) in one step and records the fold's
// accesses. Reference engine: step() is called every clock cycle and clocks the dataflow's
// per-cycle stepper (mapping/dataflow.hpp), which moves operands PE by PE; what a step moved
// across the edge is priced by the buffers' ports, and a step that needs more than one cycle
// holds the array for the rest (stall). The fold ends when the stepper is done and its last
// stall is over; its counts, not the closed form's, are recorded.

#include <memory>
#include <systemc>

#include "mapping/fold_plan.hpp"
#include "sim/simulate.hpp"
#include "sim/sram.hpp"

namespace qarch::sim {

class PeArray : public sc_core::sc_module {
 public:
  PeArray(sc_core::sc_module_name name, Engine engine, Sram& weights, Sram& inputs, Sram& outputs);

  // Starts a fold; `mapping` and `fold` must outlive it.
  void start(const mapping::Mapping& mapping, const mapping::FoldWork& fold);
  bool busy() const { return busy_; }
  const sc_core::sc_event& done_event() const { return done_event_; }
  std::int64_t macs() const { return macs_; }
  std::int64_t sram_stall_cycles() const { return sram_stalls_; }  // since elaboration

  void step();  // reference engine: one clock cycle

 private:
  void fast_thread();
  void record(const mapping::FoldAccesses& a);

  Engine engine_;
  Sram& weights_;
  Sram& inputs_;
  Sram& outputs_;
  const mapping::Mapping* mapping_ = nullptr;
  const mapping::FoldWork* fold_ = nullptr;
  bool busy_ = false;
  std::int64_t macs_ = 0;
  std::int64_t sram_stalls_ = 0;
  std::int64_t stall_left_ = 0;  // reference: cycles the current step still holds the array
  std::unique_ptr<mapping::FoldStepper> stepper_;
  sc_core::sc_event start_event_, done_event_;
};

}  // namespace qarch::sim
