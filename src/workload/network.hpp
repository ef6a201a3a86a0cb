#pragma once
// A network: its input and its layers in execution order (every layer's producers come before
// it), with shapes inferred and checked.

#include <optional>
#include <string>
#include <vector>

#include "config/document.hpp"
#include "workload/layer.hpp"

namespace qarch::workload {

// The text a language model is evaluated on in functional mode (docs/functional.md, "Language
// models"): its tokens are the bytes of the files, which exist (relative paths in the YAML are
// relative to the workload file).
struct TextCorpus {
  std::string test_file;         // scored: next-token top-1 and perplexity
  std::string calibration_file;  // activation scales
};

struct Network {
  std::string name;
  std::string source_file;
  Shape input;  // per sample
  std::int64_t batch = 1;
  std::vector<Layer> layers;
  std::optional<TextCorpus> text;  // a language model's corpus (workload key `text`)
  bool per_channel = false;  // functional mode: one weight scale per output channel (docs/numerics.md)

  std::int64_t macs() const;
  const Layer* find(const std::string& layer_name) const;
};

// Reads a network: a path ending in ".csv" is a SCALE-Sim topology, anything else qarch YAML
// (docs/workloads.md). `overrides` (`--set workload.KEY=VALUE`, the `workload.` prefix
// stripped) apply to a YAML network before it is read, as --set does to an architecture; in
// `layers.NAME.KEY` a layer may be named instead of indexed. Throws config::InputError with
// every problem found.
Network load_network(const std::string& path, std::vector<config::Override> overrides = {});

// `o` as a setting of the network, the `workload.` prefix stripped, when its key has that prefix
// (`--set workload.batch=4`, a sweep's `workload.KEY`); empty for a setting of the architecture.
std::optional<config::Override> workload_setting(const config::Override& o);

}  // namespace qarch::workload
