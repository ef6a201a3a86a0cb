#pragma once
// A network: its input and its layers in execution order (every layer's producers come before
// it), with shapes inferred and checked.

#include <string>
#include <vector>

#include "workload/layer.hpp"

namespace qarch::workload {

struct Network {
  std::string name;
  std::string source_file;
  Shape input;  // per sample
  std::int64_t batch = 1;
  std::vector<Layer> layers;

  std::int64_t macs() const;
  const Layer* find(const std::string& layer_name) const;
};

// Reads a network: a path ending in ".csv" is a SCALE-Sim topology, anything else qarch YAML
// (docs/workloads.md). Throws config::InputError with every problem found.
Network load_network(const std::string& path);

}  // namespace qarch::workload
