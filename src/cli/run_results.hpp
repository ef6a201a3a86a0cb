#pragma once
// Fills the report model from what the simulation measured and what the cost model prices
// (report/ only formats). Lives in cli/ because it is the one place that sees sim and cost.

#include <vector>

#include "arch/arch_spec.hpp"
#include "cost/actions.hpp"
#include "cost/cost_model.hpp"
#include "report/network_result.hpp"
#include "sim/simulate.hpp"
#include "workload/network.hpp"

namespace qarch::cli {

// The cost model's input for one simulated layer: register-file and PE-to-PE traffic in closed
// form from the layer's mapping (the simulation executes that same mapping), buffer and DRAM
// traffic and the duration (stalls included, for leakage) as the simulation measured them.
cost::LayerActions simulated_actions(const arch::ArchSpec& arch, const workload::Layer& layer,
                                     const sim::LayerStats& stats);

// Timing columns from `stats` (parallel to result.layers); energy per layer and component, area
// and throughput figures from `model`.
void add_simulation_and_cost(report::NetworkResult& result, const arch::ArchSpec& arch,
                             const workload::Network& network, const std::vector<sim::LayerStats>& stats,
                             const cost::CostModel& model);

// Where the technology tables are: $QARCH_MODELS_DIR if set, else the repository's models/.
std::string default_models_dir();

}  // namespace qarch::cli
