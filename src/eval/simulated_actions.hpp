#pragma once
// The cost model's input for one simulated layer: register-file and PE-to-PE traffic in closed
// form from the layer's mapping (the simulation executed that same mapping), buffer and DRAM
// traffic and the duration (stalls included, for leakage) as the simulation measured them.

#include <cstdint>

#include "cost/actions.hpp"
#include "cost/cost_model.hpp"
#include "mapping/mapping.hpp"
#include "sim/simulate.hpp"
#include "workload/layer.hpp"

namespace qarch::eval {

// `gated_macs`: MACs the PEs skipped for a zero operand (functional mode with zero gating).
cost::LayerActions simulated_actions(const cost::CostModel& model, const workload::Layer& layer,
                                     const mapping::Mapping& mapping, const sim::LayerStats& stats,
                                     std::int64_t gated_macs = 0);

}  // namespace qarch::eval
