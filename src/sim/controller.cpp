#include "sim/controller.hpp"

#include "sim/time.hpp"

namespace qarch::sim {

using mapping::FoldWork;
using mapping::Operand;

Controller::Controller(sc_core::sc_module_name name, Engine engine, const arch::ArchSpec& arch,
                       const std::vector<mapping::Mapping>& mappings, AcceleratorParts parts)
    : sc_core::sc_module(name), arch_(arch), mappings_(mappings), parts_(parts) {
  if (engine == Engine::Fast) {
    SC_HAS_PROCESS(Controller);
    SC_THREAD(fast_thread);
  }
}

bool Controller::can_prefetch(const FoldWork& fold) const {
  for (int i = 0; i < fold.loads.count; ++i) {
    const mapping::Transfer& t = fold.loads.items[static_cast<std::size_t>(i)];
    const Sram& buffer = t.operand == Operand::Weight  ? parts_.weights
                         : t.operand == Operand::Input ? parts_.inputs
                                                       : parts_.outputs;
    if (!buffer.spec().double_buffered) return false;
  }
  return true;
}

void Controller::begin_layer(std::int64_t now) {
  counters_ = LayerCounters{};
  counters_.start_cycle = now;
  dram_before_ = parts_.dram.counters();
  macs_before_ = parts_.pe_array.macs();
  sram_stalls_before_ = parts_.pe_array.sram_stall_cycles();
}

void Controller::end_layer(std::int64_t now, const mapping::Mapping& mapping) {
  counters_.end_cycle = now;
  const SramCounters w = parts_.weights.take_counters();
  const SramCounters in = parts_.inputs.take_counters();
  const SramCounters out = parts_.outputs.take_counters();
  counters_.accesses.weight_reads = w.read_elements;
  counters_.accesses.input_reads = in.read_elements;
  counters_.accesses.psum_reads = out.read_elements;
  counters_.accesses.output_writes = out.write_elements;
  counters_.accesses.macs = parts_.pe_array.macs() - macs_before_;
  counters_.sram_stall_cycles = parts_.pe_array.sram_stall_cycles() - sram_stalls_before_;
  counters_.fill_bytes[static_cast<int>(Operand::Weight)] = w.fill_bytes;
  counters_.fill_bytes[static_cast<int>(Operand::Input)] = in.fill_bytes;
  counters_.fill_bytes[static_cast<int>(Operand::Output)] = out.fill_bytes;
  counters_.drain_bytes = out.drain_bytes;
  const DramCounters d = parts_.dram.counters();
  counters_.dram = {d.read_bytes - dram_before_.read_bytes, d.write_bytes - dram_before_.write_bytes,
                    d.bursts - dram_before_.bursts, d.row_hits - dram_before_.row_hits,
                    d.row_misses - dram_before_.row_misses};
  stats_.push_back(make_layer_stats(arch_, mapping, counters_));
}

void Controller::wait_job(std::int64_t id) {
  while (parts_.dma.completed() < id) wait(parts_.dma.done_event());
}

void Controller::fast_thread() {
  Dma& dma = parts_.dma;
  PeArray& pe = parts_.pe_array;
  const bool output_double_buffered = parts_.outputs.spec().double_buffered;
  for (const mapping::Mapping& mp : mappings_) {
    begin_layer(now_cycle());
    const std::int64_t folds = mp.folds();
    FoldWork current = mapping::fold_work(mp, 0);
    std::int64_t load_id = dma.enqueue(current.loads, false);
    std::int64_t prev_store_id = 0, last_id = load_id;
    for (std::int64_t i = 0; i < folds; ++i) {
      wait_job(load_id);
      const bool has_next = i + 1 < folds;
      FoldWork next;
      bool prefetch = false;
      if (has_next) {
        next = mapping::fold_work(mp, i + 1);
        prefetch = can_prefetch(next);
      }
      if (prefetch) load_id = last_id = dma.enqueue(next.loads, false);
      if (!output_double_buffered && prev_store_id > 0) wait_job(prev_store_id);
      const std::int64_t start = now_cycle();
      pe.start(mp, current);
      while (pe.busy()) wait(pe.done_event());
      counters_.busy_cycles += now_cycle() - start;
      ++counters_.folds;
      prev_store_id = last_id = dma.enqueue(current.stores, true);
      if (has_next && !prefetch) load_id = last_id = dma.enqueue(next.loads, false);
      current = next;
    }
    wait_job(last_id);
    end_layer(now_cycle(), mp);
  }
  finished_ = true;
}

bool Controller::step(std::int64_t now) {
  Dma& dma = parts_.dma;
  bool progress = false;
  for (;;) {
    switch (state_) {
      case State::StartLayer:
        if (layer_ == mappings_.size()) {
          state_ = State::Finished;
          finished_ = true;
          return true;
        }
        begin_layer(now);
        fold_ = 0;
        current_ = mapping::fold_work(mappings_[layer_], 0);
        load_id_ = last_id_ = dma.enqueue(current_.loads, false);
        prev_store_id_ = 0;
        state_ = State::WaitLoad;
        break;
      case State::WaitLoad:
        if (dma.completed() < load_id_) return progress;
        has_next_ = fold_ + 1 < mappings_[layer_].folds();
        prefetch_ = false;
        if (has_next_) {
          next_ = mapping::fold_work(mappings_[layer_], fold_ + 1);
          prefetch_ = can_prefetch(next_);
          if (prefetch_) load_id_ = last_id_ = dma.enqueue(next_.loads, false);
        }
        state_ = State::WaitOutputBuffer;
        break;
      case State::WaitOutputBuffer:
        if (!parts_.outputs.spec().double_buffered && prev_store_id_ > 0 &&
            dma.completed() < prev_store_id_)
          return progress;
        fold_start_ = now;
        parts_.pe_array.start(mappings_[layer_], current_);
        state_ = State::Running;
        break;
      case State::Running:
        if (parts_.pe_array.busy()) return progress;
        counters_.busy_cycles += now - fold_start_;
        ++counters_.folds;
        prev_store_id_ = last_id_ = dma.enqueue(current_.stores, true);
        if (has_next_ && !prefetch_) load_id_ = last_id_ = dma.enqueue(next_.loads, false);
        ++fold_;
        if (has_next_) {
          current_ = next_;
          state_ = State::WaitLoad;
        } else {
          state_ = State::Drain;
        }
        break;
      case State::Drain:
        if (dma.completed() < last_id_) return progress;
        end_layer(now, mappings_[layer_]);
        ++layer_;
        state_ = State::StartLayer;
        break;
      case State::Finished:
        return progress;
    }
    progress = true;
  }
}

}  // namespace qarch::sim
