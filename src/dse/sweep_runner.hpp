#pragma once
// Runs the points of a sweep as child processes (`<qarch> run ... --out DIR/points/<id>`), at
// most `jobs` at a time, records each point as it finishes (sweep_store.hpp), and keeps
// DIR/results.csv up to date. A point that fails or times out is recorded and the sweep goes
// on. SIGINT, SIGTERM or SIGHUP stop the sweep: running points are stopped and left
// unfinished, results.csv is written, and running the same sweep again resumes.

#include <iosfwd>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "dse/design_point.hpp"
#include "dse/progress.hpp"
#include "dse/results_table.hpp"
#include "dse/sweep_spec.hpp"
#include "dse/sweep_store.hpp"

namespace qarch::dse {

struct SweepOptions {
  std::string out_dir;
  std::string qarch_exe;            // the executable whose `run` subcommand evaluates a point
  unsigned jobs = 1;                // points in flight
  std::optional<double> timeout_s;  // per point; overrides the spec's timeout_s
  bool retry_failed = false;        // rerun failed and timed-out points too
  bool restart = false;             // discard every finished point first
  ProgressMode progress = ProgressMode::Lines;
  // Run only these point ids and leave results.csv alone (for distributed runners, which
  // call `qarch sweep --collect` when they are done). Empty: every point.
  std::vector<std::string> only;
  double results_interval_s = 1.0;  // rewrite results.csv at most this often while running
};

struct SweepReport {
  std::size_t points = 0;   // in the spec
  std::size_t already = 0;  // finished before this run and not rerun
  std::size_t ran = 0;      // finished in this run
  std::size_t ok = 0, failed = 0, timed_out = 0;  // over all points after this run
  std::size_t pending = 0;
  bool interrupted = false;
};

class Sweep {
 public:
  // Expands the points and opens (or checks) the output directory. Throws
  // config::InputError when the directory holds results of a different sweep.
  Sweep(SweepSpec spec, SweepOptions options);

  const SweepSpec& spec() const { return spec_; }
  const std::vector<DesignPoint>& points() const { return points_; }
  const std::map<std::string, PointOutcome>& outcomes() const { return outcomes_; }
  const SweepStore& store() const { return store_; }

  // The command line that evaluates `point` (argv[0] is the qarch executable).
  std::vector<std::string> command(const DesignPoint& point) const;

  // Runs what is left; progress goes to `log`.
  SweepReport run(std::ostream& log);
  // Rewrites results.csv from the recorded points.
  void collect() const;
  // Every point with its id, values, status and command, the axes and the groups of axes
  // that advance together, as JSON (for scripts).
  std::string plan_json() const;

 private:
  PointOutcome judge(const DesignPoint& point, int exit_code, bool signaled,
                     const std::string& exit_text, bool timed_out) const;
  SweepReport tally() const;

  SweepSpec spec_;
  SweepOptions options_;
  SweepStore store_;
  std::vector<DesignPoint> points_;
  std::map<std::string, PointOutcome> outcomes_;
};

// Asks a running Sweep::run to stop as a signal would (async-signal-safe).
void request_stop();

}  // namespace qarch::dse
