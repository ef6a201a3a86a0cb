#pragma once
// One network's mappings and what the simulator measured running them, turned into the report
// model's timing, traffic and energy: shared by evaluate() and the generation runs of llm.hpp.

#include <vector>

#include "cost/cost_model.hpp"
#include "func/functional_run.hpp"
#include "mapping/mapping.hpp"
#include "report/network_result.hpp"
#include "sim/simulate.hpp"
#include "workload/network.hpp"

namespace qarch::eval {

// One mapping per layer, and what the simulator measured running them.
struct Simulated {
  std::vector<mapping::Mapping> mappings;
  std::vector<sim::LayerStats> stats;
};

// Timing from the simulation, energy per layer and component, area and throughput figures from
// `model`; `functional` (optional) adds value statistics, top-1, and zero-gated MACs to the energy.
void add_simulation_and_cost(report::NetworkResult& result, const workload::Network& network,
                             const Simulated& run, const cost::CostModel& model,
                             const func::FunctionalResult* functional);

}  // namespace qarch::eval
