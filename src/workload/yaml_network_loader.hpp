#pragma once
// qarch's own network YAML (docs/workloads.md).

#include <string>

#include "config/document.hpp"
#include "workload/network.hpp"

namespace qarch::workload {

// Reads, validates and shape-infers a network. Throws config::InputError with every problem.
Network load_yaml_network(const config::Document& document);

}  // namespace qarch::workload
