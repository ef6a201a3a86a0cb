#pragma once
// A sweep spec: one base design point (arch + workload + fixed overrides) and axes of `--set`
// overrides, crossed (cartesian) or advanced together (zipped). Loaded from YAML and validated
// with file:line:column diagnostics (docs/dse.md has the format):
//
//   arch: ../tpu-like.yaml              # relative to the spec file
//   workload: ../../workloads/lenet5.yaml
//   set: {memory.ideal: true}           # applied to every point
//   axes:
//     pe_array.rows: [16, 32, 64]
//     pe_array.cols: {from: 16, to: 64, factor: 2}
//     pe_array.dataflow: [ws, os]
//   zip: [[pe_array.rows, pe_array.cols]]   # or  mode: zip  (all axes together)

#include <optional>
#include <string>
#include <vector>

#include "config/diagnostic.hpp"

namespace qarch::dse {

// One axis: a config key and its values as YAML text (what `--set key=value` receives).
// An axis sets a config key (`pe_array.rows`), a workload key (`workload.batch`,
// `workload.layers.conv1.weight_format`: `qarch run --set` passes them to the network), or, under
// the key `workload`, the network file itself.
struct Axis {
  std::string key;
  std::vector<std::string> values;
  config::Location where;  // of the key in the spec, for messages
  std::vector<std::string> paths;  // key `workload`: the values resolved against the spec's folder
};

// The axis key whose values are network files.
inline constexpr const char* kWorkloadAxis = "workload";

// A fixed override applied to every point.
struct FixedSetting {
  std::string key;
  std::string value;
  config::Location where;
};

enum class Combine { Cartesian, Zip };

struct SweepSpec {
  std::string file;           // the spec's path as given
  std::string name;           // `name:` or the file's stem
  std::string arch;           // as written in the spec
  std::string workload;       // as written in the spec
  std::string arch_path;      // resolved against the spec's directory
  std::string workload_path;  // resolved against the spec's directory
  config::Location arch_where, workload_where;
  std::vector<FixedSetting> fixed;
  std::vector<Axis> axes;  // in spec order
  Combine mode = Combine::Cartesian;
  // Groups of axis indices that advance together; every axis is in exactly one group, groups are
  // in the order of their first axis. Cartesian mode crosses the groups; zip mode has one group.
  std::vector<std::vector<std::size_t>> groups;
  std::optional<double> timeout_s;
  std::vector<std::string> run_args;  // extra arguments for `qarch run`

  std::size_t point_count() const;
};

// Most points one spec may expand to; a bigger product is almost always a typo.
constexpr std::size_t kMaxPoints = 1000000;

// Parse and validate; every problem is collected and thrown as one config::InputError.
// `file` names the spec in messages and anchors relative arch/workload paths.
SweepSpec parse_sweep_spec(const std::string& text, const std::string& file);
SweepSpec load_sweep_spec(const std::string& path);

// Checks that need the architecture: the base arch (with the fixed overrides) must load, the
// workload must load, and every axis key must be a key the architecture knows. Problems are
// reported against the spec's lines. Throws config::InputError.
void check_against_arch(const SweepSpec& spec);

// Range expansion, exposed for tests: `from` to `to` inclusive by `step` (arithmetic) or by
// `factor` (geometric). Integers stay integers; other numbers use the shortest round-trip text.
std::vector<std::string> expand_range(double from, double to, std::optional<double> step,
                                      std::optional<double> factor, bool integers);

}  // namespace qarch::dse
