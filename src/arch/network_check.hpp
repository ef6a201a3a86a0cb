#pragma once
// Checks that need both the design point and the network: every compute layer's effective
// formats (its overrides or the PE defaults) must suit the PE's multiplier style, and
// memory.weights_resident: true needs the network's weights to fit the weight buffer.

#include "arch/arch_spec.hpp"
#include "workload/network.hpp"

namespace qarch::arch {

// The network's weights against the weight buffer: every layer's weights in DRAM bytes
// (packed at its weight format, as layers.csv's weight_bytes) and the buffer's usable bytes
// (half of it when double-buffered, as mapping::usable_bytes).
struct WeightFootprint {
  std::int64_t weight_bytes = 0;
  std::int64_t buffer_bytes = 0;
  bool fits() const { return weight_bytes <= buffer_bytes; }
};

WeightFootprint weight_footprint(const ArchSpec& arch, const workload::Network& network);

// memory.weights_resident resolved for `network`: true, false, or (auto) whether they fit.
bool weights_resident(const ArchSpec& arch, const workload::Network& network);

// Throws config::InputError naming each offending layer and where it was declared, and
// memory.weights_resident: true when the weights do not fit (with both sizes).
void check_network(const ArchSpec& arch, const workload::Network& network);

}  // namespace qarch::arch
