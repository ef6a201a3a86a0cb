#pragma once
// The controller walks each layer's mapping fold by fold:
//   queue the loads of fold 0;
//   per fold i: wait for its loads; if every buffer that fold i+1 loads into is double-buffered,
//   queue those loads now (they overlap fold i); with a single-buffered output buffer wait until
//   fold i-1's outputs have left; run fold i on the PE array; queue its stores; queue the loads
//   of fold i+1 now if they could not be prefetched;
//   the layer ends when its last store is done, and the next layer starts on that edge.
// Fast engine: one SC_THREAD waiting on DMA and PE-array events. Reference engine: the same
// rules as a state machine stepped on every clock edge (step()), written separately so the two
// check each other.

#include <systemc>
#include <vector>

#include "mapping/fold_plan.hpp"
#include "sim/dma.hpp"
#include "sim/dram.hpp"
#include "sim/layer_counters.hpp"
#include "sim/pe_array.hpp"
#include "sim/sram.hpp"

namespace qarch::sim {

struct AcceleratorParts {  // the modules the controller drives
  Dram& dram;
  Sram& weights;
  Sram& inputs;
  Sram& outputs;
  Dma& dma;
  PeArray& pe_array;
};

class Controller : public sc_core::sc_module {
 public:
  Controller(sc_core::sc_module_name name, Engine engine, const arch::ArchSpec& arch,
             const std::vector<mapping::Mapping>& mappings, AcceleratorParts parts);

  bool finished() const { return finished_; }
  const std::vector<LayerStats>& stats() const { return stats_; }

  // Reference engine: acts at the clock edge of cycle `now`; true when something changed.
  bool step(std::int64_t now);

 private:
  enum class State { StartLayer, WaitLoad, WaitOutputBuffer, Running, Drain, Finished };

  void fast_thread();
  void wait_job(std::int64_t id);
  bool can_prefetch(const mapping::FoldWork& fold) const;
  void begin_layer(std::int64_t now);
  void end_layer(std::int64_t now, const mapping::Mapping& mapping);

  const arch::ArchSpec& arch_;
  const std::vector<mapping::Mapping>& mappings_;
  AcceleratorParts parts_;
  bool finished_ = false;
  std::vector<LayerStats> stats_;
  LayerCounters counters_;
  DramCounters dram_before_;
  std::int64_t macs_before_ = 0, sram_stalls_before_ = 0;

  // Reference state machine.
  State state_ = State::StartLayer;
  std::size_t layer_ = 0;
  std::int64_t fold_ = 0, fold_start_ = 0;
  std::int64_t load_id_ = 0, prev_store_id_ = 0, last_id_ = 0;
  bool has_next_ = false, prefetch_ = false;
  mapping::FoldWork current_, next_;
};

}  // namespace qarch::sim
