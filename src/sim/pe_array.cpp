#include "sim/pe_array.hpp"

namespace qarch::sim {

PeArray::PeArray(sc_core::sc_module_name name, Engine engine, Sram& weights, Sram& inputs,
                 Sram& outputs)
    : sc_core::sc_module(name), engine_(engine), weights_(weights), inputs_(inputs), outputs_(outputs) {
  if (engine_ == Engine::Fast) {
    SC_HAS_PROCESS(PeArray);
    SC_THREAD(fast_thread);
  }
}

void PeArray::start(const mapping::Mapping& mapping, const mapping::FoldWork& fold) {
  mapping_ = &mapping;
  fold_ = &fold;
  busy_ = true;
  if (engine_ == Engine::Fast) {
    start_event_.notify(sc_core::SC_ZERO_TIME);
  } else {
    stepper_ = mapping::fold_stepper(mapping, fold);
    if (stepper_->done()) {  // an empty fold takes no cycle
      record(stepper_->accesses());
      busy_ = false;
    }
  }
}

void PeArray::record(const mapping::FoldAccesses& a) {
  weights_.record_array_access(a.weight_reads, 0);
  inputs_.record_array_access(a.input_reads, 0);
  outputs_.record_array_access(a.psum_reads, a.output_writes);
  macs_ += a.macs;
}

void PeArray::fast_thread() {
  for (;;) {
    wait(start_event_);
    wait(sc_core::sc_time(static_cast<double>(fold_->cycles + fold_->sram_stall_cycles), sc_core::SC_NS));
    sram_stalls_ += fold_->sram_stall_cycles;
    record(fold_->accesses);
    busy_ = false;
    done_event_.notify(sc_core::SC_ZERO_TIME);
  }
}

void PeArray::step() {
  if (!busy_) return;
  if (stall_left_ > 0) {
    --stall_left_;
    ++sram_stalls_;
  } else {
    const mapping::FoldAccesses before = stepper_->accesses();
    stepper_->step();
    const mapping::FoldAccesses& after = stepper_->accesses();
    mapping::EdgeCycle moved;
    moved[mapping::EdgeOp::WeightRead] = after.weight_reads - before.weight_reads;
    moved[mapping::EdgeOp::InputRead] = after.input_reads - before.input_reads;
    moved[mapping::EdgeOp::OutputWrite] = after.output_writes - before.output_writes;
    moved[mapping::EdgeOp::PsumRead] = after.psum_reads - before.psum_reads;
    stall_left_ = mapping_->ports.cycles(moved) - 1;
  }
  if (stall_left_ == 0 && stepper_->done()) {
    record(stepper_->accesses());
    busy_ = false;
  }
}

}  // namespace qarch::sim
