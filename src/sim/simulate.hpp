#pragma once
// Simulation of a network on one design point. No SystemC in this header: the CLI and the
// reports include it without seeing the kernel.

#include <cstdint>
#include <iosfwd>
#include <string>
#include <utility>
#include <vector>

#include "arch/arch_spec.hpp"
#include "mapping/mapping.hpp"
#include "workload/network.hpp"

namespace qarch::sim {

// Fast: advances a whole fold (and a whole DMA transfer) at a time, with exact cycle counts.
// Reference: clocked cycle by cycle, per PE; for small arrays and tests (it is ~rows*cols
// slower per cycle).
enum class Engine { Fast, Reference };

// One on-chip buffer's traffic. Words are the buffer's word_bits; values are packed
// (mapping/packing.hpp), so narrower operands take fewer words.
struct BufferCounts {
  std::int64_t read_words = 0, read_bits = 0;
  std::int64_t write_words = 0, write_bits = 0;
};

struct LayerStats {
  std::string name;
  std::string type;     // workload::to_string(LayerType)
  std::string unit;     // the dataflow's unit: "systolic array", "adder-tree lanes", "vector unit", ...

  // Cycles of the accelerator clock. compute_cycles is the array's busy time numbered as
  // SCALE-Sim does (the cycle of the last output write, from 0); stall_cycles are the cycles the
  // array waits for DRAM (or a single-buffered buffer) or for its buffers' ports (SRAM stalls,
  // also counted on their own); total = compute + stall.
  std::int64_t total_cycles = 0, compute_cycles = 0, stall_cycles = 0;
  std::int64_t sram_stall_cycles = 0;
  double utilization = 0;         // macs / (total_cycles * rows * cols), SCALE-Sim's "overall"
  double mapping_efficiency = 0;  // mean over folds of used PEs / all PEs (vector: lane use)
  std::int64_t folds = 0;

  // Arithmetic: every MAC of a layer has the same style and widths.
  std::int64_t macs = 0;
  std::string mac_style;  // numerics::MultiplierStyle::to_string()
  int weight_bits = 0, activation_bits = 0, accumulator_bits = 0;
  std::int64_t vector_ops = 0;  // elements read by the vector unit (layers without MACs)

  // Register-file and PE-to-PE traffic follow from the mapping in closed form
  // (cost::actions_from); the simulator counts what crosses the buffers' edges.

  // On-chip buffers; element counts as SCALE-Sim reports them are kept for cross-checks.
  BufferCounts weight_buffer, input_buffer, output_buffer;
  std::int64_t input_reads_elements = 0, weight_reads_elements = 0;
  std::int64_t output_writes_elements = 0, psum_reads_elements = 0;

  // DRAM.
  std::int64_t dram_read_bytes = 0, dram_write_bytes = 0;
  std::int64_t dram_bursts = 0, dram_row_hits = 0, dram_row_misses = 0;
};

// Simulates the layers `mappings` describe (one per layer, mapping::map_network) in order on
// one design point; each layer starts with empty buffers once the previous one has finished.
// Elaborates SystemC once: call at most once per process (build-notes.md).
// `dram_trace` (optional) receives every DRAM access, as `qarch dram` reads traces.
std::vector<LayerStats> simulate(const arch::ArchSpec& arch, std::vector<mapping::Mapping> mappings,
                                 Engine engine = Engine::Fast, std::ostream* dram_trace = nullptr);

// Maps every layer of `net` with `mapper` (the mapper's search by default), then the above.
std::vector<LayerStats> simulate(const arch::ArchSpec& arch, const workload::Network& net,
                                 Engine engine = Engine::Fast, const mapping::MapperOptions& mapper = {});

// Several independent runs in one elaboration, side by side in the same simulation (tests
// compare engines and design points within one process). Same once-per-process rule.
struct Job {
  // Maps every layer of `net_` with `mapper` (the mapper's search by default).
  Job(arch::ArchSpec arch_, const workload::Network& net_, Engine engine_ = Engine::Fast,
      const mapping::MapperOptions& mapper = {})
      : arch(std::move(arch_)), mappings(mapping::map_network(arch, net_, mapper)), engine(engine_) {}
  Job(arch::ArchSpec arch_, std::vector<mapping::Mapping> mappings_, Engine engine_ = Engine::Fast)
      : arch(std::move(arch_)), mappings(std::move(mappings_)), engine(engine_) {}

  arch::ArchSpec arch;
  std::vector<mapping::Mapping> mappings;  // one per layer, in order
  Engine engine = Engine::Fast;
  std::ostream* dram_trace = nullptr;      // every DRAM access, in the trace format
};
std::vector<std::vector<LayerStats>> simulate_jobs(const std::vector<Job>& jobs);

}  // namespace qarch::sim
