#include "sim/dma.hpp"

#include <algorithm>
#include <tlm_utils/tlm_quantumkeeper.h>

#include "sim/time.hpp"

namespace qarch::sim {

using mapping::Operand;

Dma::Dma(sc_core::sc_module_name name, Engine engine, int dram_burst_bytes)
    : sc_core::sc_module(name),
      dram_socket("dram_socket"),
      weight_socket("weight_socket"),
      input_socket("input_socket"),
      output_socket("output_socket"),
      engine_(engine),
      burst_bytes_(std::max(1, dram_burst_bytes)) {
  if (engine_ == Engine::Fast) {
    SC_HAS_PROCESS(Dma);
    SC_THREAD(fast_thread);
  }
}

std::int64_t Dma::enqueue(const mapping::TransferList& transfers, bool store) {
  queue_.push_back(Job{transfers, store, next_id_});
  queued_event_.notify(sc_core::SC_ZERO_TIME);
  return next_id_++;
}

tlm_utils::simple_initiator_socket<Dma>& Dma::buffer_socket(Operand operand) {
  switch (operand) {
    case Operand::Weight: return weight_socket;
    case Operand::Input: return input_socket;
    case Operand::Output: break;
  }
  return output_socket;
}

sc_core::sc_time Dma::transport(tlm_utils::simple_initiator_socket<Dma>& socket, bool write, bool job_end,
                                std::int64_t address, std::int64_t bytes) {
  payload_.set_command(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
  payload_.set_address(static_cast<sc_dt::uint64>(address));
  payload_.set_data_length(static_cast<unsigned int>(bytes));
  payload_.set_streaming_width(static_cast<unsigned int>(bytes));
  payload_.set_data_ptr(nullptr);  // timing only: no data moves
  payload_.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  if (job_end) {
    payload_.set_extension(&job_end_);
  } else {
    payload_.clear_extension(&job_end_);
  }
  sc_core::sc_time delay = sc_core::SC_ZERO_TIME;  // every request arrives at the job's start
  socket->b_transport(payload_, delay);
  payload_.clear_extension(&job_end_);
  return delay;
}

std::int64_t Dma::issue(const Job& job, bool per_burst) {
  sc_core::sc_time latest = sc_core::SC_ZERO_TIME;
  int last = -1;  // the job's last transfer with data: its last piece ends the DRAM job
  for (int i = 0; i < job.transfers.count; ++i)
    if (job.transfers.items[static_cast<std::size_t>(i)].bytes > 0) last = i;
  for (int i = 0; i < job.transfers.count; ++i) {
    const mapping::Transfer& t = job.transfers.items[static_cast<std::size_t>(i)];
    auto& buffer = buffer_socket(t.operand);
    transport(buffer, !job.store, false, t.address, t.bytes);  // fill or drain count
    std::int64_t address = t.address;
    const std::int64_t end = t.address + t.bytes;
    while (address < end) {
      // Fast: the whole transfer in one transaction; reference: one per DRAM burst.
      const std::int64_t piece_end =
          per_burst ? std::min(end, (address / burst_bytes_ + 1) * burst_bytes_) : end;
      const bool job_end = i == last && piece_end == end;
      latest = std::max(latest, transport(dram_socket, job.store, job_end, address, piece_end - address));
      address = piece_end;
    }
  }
  return to_milli_cycles(sc_core::sc_time_stamp() + latest);
}

void Dma::fast_thread() {
  tlm_utils::tlm_quantumkeeper keeper;
  for (;;) {
    while (queue_.empty()) wait(queued_event_);
    const Job job = queue_.front();
    queue_.pop_front();
    keeper.reset();
    const std::int64_t done_mc = issue(job, false);
    keeper.set(from_milli_cycles(done_mc) - sc_core::sc_time_stamp());
    keeper.sync();
    // Done on the first clock edge at or after the last data.
    const std::int64_t edge_mc = ceil_cycle(done_mc) * kMilliCyclesPerCycle;
    if (edge_mc > to_milli_cycles(sc_core::sc_time_stamp()))
      wait(from_milli_cycles(edge_mc) - sc_core::sc_time_stamp());
    completed_ = job.id;
    done_event_.notify(sc_core::SC_ZERO_TIME);
  }
}

bool Dma::retire(std::int64_t now) {
  if (!active_ || ceil_cycle(active_done_mc_) > now) return false;
  active_ = false;
  completed_ = active_id_;
  return true;
}

bool Dma::start_if_idle(std::int64_t now) {
  (void)now;
  if (active_ || queue_.empty()) return false;
  const Job job = queue_.front();
  queue_.pop_front();
  active_ = true;
  active_id_ = job.id;
  active_done_mc_ = issue(job, true);
  return true;
}

}  // namespace qarch::sim
