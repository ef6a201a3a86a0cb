#pragma once
// The one entry point from a design point and a network to every answer qarch gives: each layer
// is mapped once (mapping::map_network), and that same Mapping is simulated (sim/), priced
// (cost/) and, in functional mode, executed on real tensors in its accumulation order (func/).
// "One run, both answers" (DESIGN.md). This header shows its clients (cli/, tests, bindings)
// only the design point, the network and the report model.

#include <cstdint>
#include <iosfwd>
#include <functional>
#include <optional>
#include <string>

#include "arch/arch_spec.hpp"
#include "report/network_result.hpp"
#include "workload/network.hpp"

namespace qarch::eval {

// Functional mode: real Fashion-MNIST-style images through the mapped layers.
struct FunctionalSettings {
  std::string dataset_dir;   // MNIST-style IDX directory; empty: default_dataset_dir()
  std::int64_t limit = 10000;  // test images evaluated (the first `limit`); >= 1
  bool per_channel = false;  // one weight scale per output channel (integer formats)
  int threads = 0;           // 0: one per core; results do not depend on it
  std::int64_t reference_images = -1;  // the float32 reference on the first this many; -1: all
  std::function<void(std::int64_t done, std::int64_t total)> progress = nullptr;  // optional
};

struct Options {
  std::string models_dir;  // technology tables (models/*.yaml); required
  // false: SCALE-Sim's loop nest for every systolic layer (no loop reordering or stream tiling).
  bool search = true;
  std::optional<FunctionalSettings> functional;  // set: also compute real outputs and top-1
  std::ostream* dram_trace = nullptr;  // set: every simulated DRAM access, as `qarch dram` reads
};

// /usr/share/datasets/fashion-mnist, Debian's dataset-fashion-mnist.
std::string default_dataset_dir();

// The whole report model: shapes and formats, per-layer cycles and traffic from the simulation,
// energy and area from the cost model, value statistics and top-1 when functional. Elaborates
// SystemC: once per process (sim/simulate.hpp). Throws config::InputError for user errors.
report::NetworkResult evaluate(const arch::ArchSpec& arch, const workload::Network& network,
                               const Options& options);

// `qarch explain`: the cost model's heading, then per layer (only `only_layer` if non-empty) the
// priced actions of what the simulation measured — count x price = energy, as evaluate() sums.
std::string explain(const arch::ArchSpec& arch, const workload::Network& network, const Options& options,
                    const std::string& only_layer = {});

// `qarch map`: each layer's mapping as evaluate() uses it (only `only_layer` if non-empty) and,
// with top_candidates > 0, the mapper's best candidates and why the winner won. Loads the cost
// model only when the mapper's objective needs energy. No simulation.
std::string describe_mappings(const arch::ArchSpec& arch, const workload::Network& network,
                              const Options& options, const std::string& only_layer = {},
                              int top_candidates = 0);

}  // namespace qarch::eval
