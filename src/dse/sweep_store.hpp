#pragma once
// A sweep's output directory, the journal that makes a sweep resumable:
//   DIR/sweep.json             what the finished points were run with (spec fingerprint)
//   DIR/points/<id>/           the child's --out (summary.json, layers.csv, report.md),
//                              its stderr.txt, and status.json once the point finished
//   DIR/results.csv            rebuilt from the status files (results_table.hpp)
// A point is finished exactly when its status.json exists; every file is written under a
// temporary name and renamed, so a sweep killed at any moment loses no finished point and
// leaves no half-written file.

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "dse/design_point.hpp"
#include "dse/results_table.hpp"
#include "dse/sweep_spec.hpp"

namespace qarch::dse {

// What finished points depend on: arch and workload (paths and contents), fixed settings, axis
// keys and extra run arguments. Axis values are not in it: adding values to an axis keeps
// the points already run.
nlohmann::ordered_json spec_fingerprint(const SweepSpec& spec);

class SweepStore {
 public:
  explicit SweepStore(std::string dir);
  ~SweepStore();
  SweepStore(const SweepStore&) = delete;
  SweepStore& operator=(const SweepStore&) = delete;

  const std::string& dir() const { return dir_; }
  std::string point_dir(const std::string& id) const;
  std::string results_path() const;
  std::string manifest_path() const;

  // Creates DIR, takes its lock (DIR/sweep.lock, held until the store is destroyed: a second
  // sweep on DIR is a config::InputError, never a mix of two sweeps' results) and checks
  // DIR/sweep.json against `fingerprint`: absent -> written; equal ->
  // nothing to do; different -> config::InputError saying what changed, unless `restart`,
  // which discards every finished point and starts over.
  // `exclusive` false (a distributed worker's `--only` run): a shared lock, so that workers
  // run side by side but never beside a whole sweep.
  void open(const nlohmann::ordered_json& fingerprint, bool restart, bool exclusive = true);

  // Outcomes recorded for these points (finished ones only), by id. A status file that does
  // not parse or whose axis values differ from the point's is ignored (the point reruns).
  std::map<std::string, PointOutcome> load_outcomes(const SweepSpec& spec,
                                                    const std::vector<DesignPoint>& points) const;

  // Empties the point's directory before it runs (a rerun must not see stale files).
  void prepare_point(const std::string& id) const;
  // Writes status.json, which marks the point finished.
  void record(const SweepSpec& spec, const DesignPoint& point, const PointOutcome& outcome) const;
  void write_results(const std::string& csv_text) const;

 private:
  std::string dir_;
  int lock_fd_ = -1;
};

}  // namespace qarch::dse
