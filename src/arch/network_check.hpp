#pragma once
// Checks that need both the design point and the network: every compute layer's effective
// formats (its overrides or the PE defaults) must suit the PE's multiplier style.

#include "arch/arch_spec.hpp"
#include "workload/network.hpp"

namespace qarch::arch {

// Throws config::InputError naming each offending layer and where it was declared.
void check_network(const ArchSpec& arch, const workload::Network& network);

}  // namespace qarch::arch
