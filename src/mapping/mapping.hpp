#pragma once
// The mapping of one layer onto the accelerator: which unit runs it, how the matrix product is
// unrolled on the array (dataflow, folds), how each operand is tiled into its buffer given its
// bit-width (packing), and what the layer costs in closed form. map_layer() is deterministic
// and cheap; sim/ executes the folds it describes (fold_plan.hpp).

#include <cstdint>
#include <string>
#include <vector>

#include "arch/arch_spec.hpp"
#include "mapping/buffer_tile.hpp"
#include "mapping/estimate.hpp"
#include "mapping/loop_nest.hpp"
#include "mapping/mapper.hpp"
#include "mapping/row_stationary.hpp"
#include "mapping/systolic.hpp"
#include "workload/layer.hpp"
#include "workload/network.hpp"

namespace qarch::mapping {

// What executes the layer: the systolic array (ws/os/is), the array as Eyeriss row-stationary
// sets (rs), or the vector unit (`cols` lanes) for layers without multiply-accumulates.
enum class Unit { Systolic, RowStationary, Vector };

std::string_view to_string(Unit unit);

struct VectorPlan {               // layers without MACs
  int lanes = 0;                  // elements the vector unit reads per cycle (= cols)
  std::int64_t ops = 0;           // elements read: window reads for pooling, both operands for add
  std::int64_t chunk_elements = 0;  // input elements per fold: what half the input buffer holds
  std::int64_t input_elements = 0;  // all operands, whole batch
  std::int64_t output_elements = 0;
};

struct Mapping {
  std::string layer;
  workload::LayerType type = workload::LayerType::Conv2d;
  Unit unit = Unit::Systolic;
  arch::Dataflow dataflow = arch::Dataflow::WeightStationary;
  int rows = 0, cols = 0;
  int weight_bits = 0, activation_bits = 0, accumulator_bits = 0;
  std::string multiplier;  // MAC style, e.g. "exact"

  // The product of one group; groups run one after another, each with the same folds.
  std::int64_t groups = 1;
  std::int64_t m = 0, k = 0, n = 0;
  SystolicShape shape;  // systolic: sr, sc, t
  FoldGrid grid;        // systolic: folds per group
  RowStationaryProblem rs_problem;
  RowStationaryPlan rs;  // rs: passes are its folds
  VectorPlan vector;
  std::int64_t folds_per_group = 0;
  // Systolic and rs; vector folds vary, and so does a shorter last stream tile (fold_plan.hpp).
  std::int64_t cycles_per_fold = 0;
  std::string loop_order;  // outermost first
  LoopNest nest;           // systolic: the loop nest the mapper chose (SCALE-Sim's by default)
  std::int64_t candidates = 1;  // mappings the mapper considered for this layer

  BufferTile weights, inputs, outputs;
  bool psum_spill = false;  // partial sums go to DRAM and back between row folds

  // Closed-form totals over all groups.
  std::int64_t macs = 0;
  std::int64_t compute_cycles = 0;  // numbered as SCALE-Sim: the last output's cycle, from 0
  double mapping_efficiency = 0;    // mean over folds of used PEs / all PEs
  FoldAccesses accesses;            // buffer traffic in elements (see systolic.hpp)
  std::int64_t dram_read_bytes = 0;
  std::int64_t dram_write_bytes = 0;
  Estimate estimate;  // the mapper's analytic estimate of total and stall cycles (estimate.hpp)

  std::int64_t folds() const { return groups * folds_per_group; }
};

// Maps `layer` with the architecture's dataflow. Layers without MACs go to the vector unit.
// Systolic layers: the mapper (mapper.hpp) picks the loop nest; with memory.ideal the compute
// cycles are SCALE-Sim v2's.
Mapping map_layer(const arch::ArchSpec& arch, const workload::Layer& layer,
                  const MapperOptions& options = {});

// Every layer of `network`, mapped once with `options`, in layer order: the mappings that the
// simulator, the cost model and functional execution all share (eval/evaluate.hpp).
std::vector<Mapping> map_network(const arch::ArchSpec& arch, const workload::Network& network,
                                 const MapperOptions& options = {});

// The mapping with a given loop nest (systolic dataflows; others ignore `nest`). The nest's
// tiling must be of this layer's stream (make_nest with its t).
Mapping map_layer_with(const arch::ArchSpec& arch, const workload::Layer& layer, const LoopNest& nest);

// The product of a systolic layer's group as the mapper sees it (for search_systolic).
SystolicProblem systolic_problem(const arch::ArchSpec& arch, const workload::Layer& layer);

// The mapper's search over `layer` (all candidates), for `qarch map --candidates` and tests.
// rs and vector layers give one candidate.
Search search_layer(const arch::ArchSpec& arch, const workload::Layer& layer,
                    const MapperOptions& options = {});

// Several lines, for `qarch map`: unit, dataflow, product, folds, loop order, per-buffer tiles
// with packing and residency, closed-form cycles and DRAM bytes.
std::string describe(const Mapping& mapping);

}  // namespace qarch::mapping
