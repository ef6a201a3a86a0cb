#pragma once
// The DMA engine: executes jobs (a fold's loads, or its stores) one at a time in the order the
// controller queued them. A job starts on a clock edge once the previous one is done; all of
// its requests reach the DRAM at that edge; it is done on the first edge after its last data.
// Loads go DRAM -> buffer, stores buffer -> DRAM, each leg a TLM-2.0 b_transport.
//
// Fast engine: a thread runs each job with one transaction per transfer, accumulating the
// annotated delays in a tlm_quantumkeeper (temporal decoupling) and synchronising once per job.
// Reference engine: the accelerator's clocked process calls retire() and start_if_idle() every
// cycle, and the job is issued as one transaction per DRAM burst.

#include <cstdint>
#include <deque>
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

#include "mapping/fold_plan.hpp"
#include "sim/dram.hpp"
#include "sim/simulate.hpp"

namespace qarch::sim {

class Dma : public sc_core::sc_module {
 public:
  tlm_utils::simple_initiator_socket<Dma> dram_socket;
  tlm_utils::simple_initiator_socket<Dma> weight_socket, input_socket, output_socket;

  Dma(sc_core::sc_module_name name, Engine engine, int dram_burst_bytes);

  // Queues a job; returns its id (ids count up from 1 in queue order).
  std::int64_t enqueue(const mapping::TransferList& transfers, bool store);
  std::int64_t completed() const { return completed_; }  // every job up to this id is done
  const sc_core::sc_event& done_event() const { return done_event_; }

  // Reference engine, at the clock edge of cycle `now`; true when something changed.
  bool retire(std::int64_t now);
  bool start_if_idle(std::int64_t now);

 private:
  struct Job {
    mapping::TransferList transfers;
    bool store = false;
    std::int64_t id = 0;
  };

  void fast_thread();
  // Issues the job's transactions at the current time; returns the completion in milli-cycles.
  std::int64_t issue(const Job& job, bool per_burst);
  sc_core::sc_time transport(tlm_utils::simple_initiator_socket<Dma>& socket, bool write, bool job_end,
                             std::int64_t address, std::int64_t bytes);
  tlm_utils::simple_initiator_socket<Dma>& buffer_socket(mapping::Operand operand);

  Engine engine_;
  int burst_bytes_;
  std::deque<Job> queue_;
  std::int64_t next_id_ = 1;
  std::int64_t completed_ = 0;
  sc_core::sc_event queued_event_, done_event_;
  bool active_ = false;            // reference: a job is in flight
  std::int64_t active_id_ = 0;
  std::int64_t active_done_mc_ = 0;
  tlm::tlm_generic_payload payload_;
  DramJobEnd job_end_;  // marks a job's last DRAM transaction (sim/dram.hpp)
};

}  // namespace qarch::sim
