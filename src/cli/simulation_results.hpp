#pragma once
// Copies what the simulation measured into the report model (report/ only formats).

#include <vector>

#include "report/network_result.hpp"
#include "sim/simulate.hpp"

namespace qarch::cli {

// `stats` is parallel to `result.layers` (one entry per layer, in order).
void add_simulation(report::NetworkResult& result, const std::vector<sim::LayerStats>& stats);

}  // namespace qarch::cli
