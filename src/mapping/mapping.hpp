#pragma once
// The mapping of one layer onto the accelerator: which unit runs it, how the matrix product is
// unrolled on the array (the dataflow's plan, dataflow.hpp), how each operand is tiled into its
// buffer given its bit-width (packing), and what the layer costs in closed form. map_layer() is
// deterministic and cheap; sim/ executes the folds it describes (fold_plan.hpp).

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "arch/arch_spec.hpp"
#include "mapping/buffer_ports.hpp"
#include "mapping/buffer_split.hpp"
#include "mapping/buffer_tile.hpp"
#include "mapping/packing.hpp"
#include "mapping/dataflow.hpp"
#include "mapping/estimate.hpp"
#include "mapping/fold_accesses.hpp"
#include "mapping/mapper.hpp"
#include "mapping/on_chip.hpp"
#include "workload/layer.hpp"
#include "workload/network.hpp"

namespace qarch::mapping {

struct Mapping {
  std::string layer;
  workload::LayerType type = workload::LayerType::Conv2d;
  arch::Dataflow dataflow = arch::Dataflow::WeightStationary;  // the architecture's
  const Dataflow* flow = nullptr;             // what planned the layer: dataflow() or vector_unit()
  std::shared_ptr<const DataflowPlan> plan;   // its plan (plan_as)
  bool vector = false;                        // no MACs: the vector unit runs it
  // The array the dataflow maps onto: pe_array.rows x (cols x lanes) virtual PEs, each step of
  // which takes step_cycles clocks (arch/precision_scaling.hpp; 1 and 1 for bit-parallel PEs).
  int rows = 0, cols = 0;
  int lanes = 1, step_cycles = 1;
  int weight_bits = 0, activation_bits = 0, accumulator_bits = 0;
  // How weights and activations are stored: their bits and, in block formats, their scales.
  Storage weight_storage, activation_storage;
  int output_bits = 0;  // what the unit writes to the output buffer: accumulators, or activations
  std::string multiplier;  // MAC style, e.g. "exact"
  std::string function;    // activation layers: workload::Layer::function (the vector unit's work)
  // Elements that share one per-row operation (softmax: a head's keys, one reciprocal; the norms:
  // the channels, one reciprocal square root); 0 when the function has none.
  std::int64_t function_row = 0;

  // The product of one group; groups run one after another, each with the same folds.
  std::int64_t groups = 1;
  std::int64_t m = 0, k = 0, n = 0;
  std::int64_t folds_per_group = 0;
  std::int64_t cycles_per_fold = 0;  // of a full fold; shorter last folds take fewer (fold_work)
  std::string loop_order;  // outermost first
  std::int64_t candidates = 1;  // mappings the mapper considered for this layer

  BufferTile weights, inputs, outputs;
  BufferSplit split{};      // bytes of buffers.global per tensor (all 0 without one)
  BufferPorts ports;        // the words per cycle its edge traffic may use (SRAM timing)
  bool psum_spill = false;  // partial sums go to DRAM and back between row folds

  // Closed-form totals over all groups.
  std::int64_t macs = 0;
  std::int64_t compute_cycles = 0;  // numbered as SCALE-Sim: the last output's cycle, from 0
  double mapping_efficiency = 0;    // mean over folds of used PEs / all PEs
  FoldAccesses accesses;            // buffer traffic in elements
  std::int64_t dram_read_bytes = 0;
  std::int64_t dram_write_bytes = 0;
  Estimate estimate;  // the mapper's analytic estimate of total and stall cycles (estimate.hpp)
  // What stays on chip instead of going through DRAM (fusion.hpp; map_network sets it, map_layer
  // keeps nothing). fold_work and the DRAM totals above already leave those transfers out.
  OnChip on_chip;

  std::int64_t folds() const { return groups * folds_per_group; }
  std::string_view unit() const { return flow->unit(); }

  // The plan as the dataflow that made it knows it.
  template <class Plan>
  const Plan& plan_as() const {
    const auto* p = dynamic_cast<const Plan*>(plan.get());
    if (p == nullptr) throw std::logic_error("mapping of " + layer + ": not planned by this dataflow");
    return *p;
  }
};

// Maps `layer` with the architecture's dataflow. Layers without MACs go to the vector unit.
// Systolic layers: the mapper (mapper.hpp) picks the loop nest; with memory.ideal the compute
// cycles are SCALE-Sim v2's.
Mapping map_layer(const arch::ArchSpec& arch, const workload::Layer& layer,
                  const MapperOptions& options = {});

// Every layer of `network`, mapped once with `options`, in layer order: the mappings that the
// simulator, the cost model and functional execution all share (eval/evaluate.hpp). Then what
// stays on chip between layers (memory.fuse_layers, memory.weights_resident; fusion.hpp).
std::vector<Mapping> map_network(const arch::ArchSpec& arch, const workload::Network& network,
                                 const MapperOptions& options = {});

// map_layer's common fields, before the dataflow plans: names, formats, product, array size,
// and which dataflow will plan it.
Mapping base_mapping(const arch::ArchSpec& arch, const workload::Layer& layer);

// The mapper's search over `layer` (all candidates), for `qarch map --candidates` and tests.
// Dataflows without a choice (rs, adder_tree, the vector unit) give one candidate.
Search search_layer(const arch::ArchSpec& arch, const workload::Layer& layer,
                    const MapperOptions& options = {});

// Several lines, for `qarch map`: unit, dataflow, product, folds, loop order, per-buffer tiles
// with packing and residency, closed-form cycles and DRAM bytes.
std::string describe(const Mapping& mapping);

}  // namespace qarch::mapping
