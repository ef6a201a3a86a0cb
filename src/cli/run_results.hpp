#pragma once
// Fills the report model from what the simulation measured and what the cost model prices
// (report/ only formats). Lives in cli/ because it is the one place that sees sim and cost.

#include <vector>

#include "arch/arch_spec.hpp"
#include "cost/actions.hpp"
#include "cost/cost_model.hpp"
#include "func/functional_run.hpp"
#include "report/network_result.hpp"
#include "sim/simulate.hpp"
#include "workload/network.hpp"

namespace qarch::cli {

// The cost model's input for one simulated layer: register-file and PE-to-PE traffic in closed
// form from the layer's mapping (the simulation executes that same mapping), buffer and DRAM
// traffic and the duration (stalls included, for leakage) as the simulation measured them. The
// mapping is the one the simulator ran with cost::mapper_options(model).
// `gated_macs`: MACs the PEs skipped for a zero operand (functional mode with zero gating).
cost::LayerActions simulated_actions(const cost::CostModel& model, const workload::Layer& layer,
                                     const sim::LayerStats& stats, std::int64_t gated_macs = 0);

// Timing columns from `stats` (parallel to result.layers); energy per layer and component, area
// and throughput figures from `model`.
// `functional` (optional, parallel to the layers) adds value statistics, top-1, and zero-gated
// MACs to the energy.
void add_simulation_and_cost(report::NetworkResult& result, const arch::ArchSpec& arch,
                             const workload::Network& network, const std::vector<sim::LayerStats>& stats,
                             const cost::CostModel& model,
                             const func::FunctionalResult* functional = nullptr);

// Where the technology tables are: $QARCH_MODELS_DIR if set, else the repository's models/.
std::string default_models_dir();

}  // namespace qarch::cli
