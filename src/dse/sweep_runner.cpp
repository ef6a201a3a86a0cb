#include "dse/sweep_runner.hpp"

#include <time.h>

#include <array>
#include <chrono>
#include <csignal>
#include <deque>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <ostream>
#include <set>
#include <sstream>

#include "dse/child_process.hpp"

namespace qarch::dse {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

volatile std::sig_atomic_t g_stop = 0;

extern "C" void on_stop_signal(int) { g_stop = 1; }

// Installs the stop handlers for the lifetime of a run and restores the previous ones.
class StopSignals {
 public:
  StopSignals() {
    g_stop = 0;
    struct sigaction action {};
    action.sa_handler = on_stop_signal;
    sigemptyset(&action.sa_mask);
    for (std::size_t i = 0; i < kSignals.size(); ++i) ::sigaction(kSignals[i], &action, &old_[i]);
  }
  ~StopSignals() {
    for (std::size_t i = 0; i < kSignals.size(); ++i) ::sigaction(kSignals[i], &old_[i], nullptr);
  }
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

 private:
  static constexpr std::array<int, 3> kSignals = {SIGINT, SIGTERM, SIGHUP};
  std::array<struct sigaction, 3> old_{};
};

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// The child's complaint in one line: its "error:" lines, else its last line.
std::string error_text(const std::string& stderr_text) {
  std::istringstream lines(stderr_text);
  std::string line, errors, last;
  while (std::getline(lines, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    last = line;
    if (line.rfind("error: ", 0) == 0) errors += (errors.empty() ? "" : "; ") + line.substr(7);
  }
  std::string text = errors.empty() ? last : errors;
  constexpr std::size_t kMax = 2000;
  if (text.size() > kMax) text = text.substr(0, kMax) + "...";
  return text;
}

void sleep_ms(long ms) {
  timespec t{0, ms * 1000000L};
  ::nanosleep(&t, nullptr);  // a signal ends it early, which is what we want
}

std::string describe_point(const SweepSpec& spec, const DesignPoint& point) {
  std::string text = "#" + std::to_string(point.index);
  for (std::size_t a = 0; a < spec.axes.size(); ++a) {
    text += " " + spec.axes[a].key + "=" + point.values[a];
  }
  return text;
}

std::string seconds_text(double s) {
  std::ostringstream out;
  out.precision(s < 10 ? 2 : 3);
  out << s << " s";
  return out.str();
}

}  // namespace

void request_stop() { g_stop = 1; }

Sweep::Sweep(SweepSpec spec, SweepOptions options)
    : spec_(std::move(spec)), options_(std::move(options)), store_(options_.out_dir) {
  points_ = expand_points(spec_);
  // Workers of a distributed sweep (--only) share the directory; a whole sweep owns it.
  store_.open(spec_fingerprint(spec_), options_.restart, options_.only.empty());
  outcomes_ = store_.load_outcomes(spec_, points_);
}

std::vector<std::string> Sweep::command(const DesignPoint& point) const {
  std::vector<std::string> argv = {options_.qarch_exe, "run", "--arch", spec_.arch_path,
                                   "--workload", point_workload(spec_, point)};
  for (const auto& setting : point_settings(spec_, point)) {
    argv.push_back("--set");
    argv.push_back(setting);
  }
  argv.insert(argv.end(), {"--out", store_.point_dir(point.id), "--format", "json"});
  argv.insert(argv.end(), spec_.run_args.begin(), spec_.run_args.end());
  return argv;
}

PointOutcome Sweep::judge(const DesignPoint& point, int exit_code, bool signaled,
                          const std::string& exit_text, bool timed_out) const {
  PointOutcome outcome;
  outcome.exit_code = signaled ? -1 : exit_code;
  const std::string dir = store_.point_dir(point.id);
  const std::string complaint = error_text(read_file((fs::path(dir) / "stderr.txt").string()));
  if (timed_out) {
    outcome.status = PointStatus::Timeout;
    outcome.error = "timed out after " +
                    seconds_text(options_.timeout_s ? *options_.timeout_s : *spec_.timeout_s);
    return outcome;
  }
  outcome.status = PointStatus::Failed;
  if (signaled) {
    outcome.error = exit_text + (complaint.empty() ? "" : ": " + complaint);
    return outcome;
  }
  if (exit_code != 0) {
    outcome.error = complaint.empty() ? exit_text : complaint;
    return outcome;
  }
  const auto summary =
      nlohmann::json::parse(read_file((fs::path(dir) / "summary.json").string()), nullptr, false);
  if (!summary.is_object()) {
    outcome.error = "the run ended with exit code 0 but left no readable summary.json";
    return outcome;
  }
  outcome.status = PointStatus::Ok;
  outcome.metrics = metrics_from_summary(summary);
  return outcome;
}

SweepReport Sweep::tally() const {
  SweepReport report;
  report.points = points_.size();
  for (const auto& point : points_) {
    const auto it = outcomes_.find(point.id);
    const PointStatus s = it == outcomes_.end() ? PointStatus::Pending : it->second.status;
    report.ok += s == PointStatus::Ok;
    report.failed += s == PointStatus::Failed;
    report.timed_out += s == PointStatus::Timeout;
    report.pending += s == PointStatus::Pending;
  }
  return report;
}

void Sweep::collect() const { store_.write_results(render_results_csv(spec_, points_, outcomes_)); }

std::string Sweep::plan_json() const {
  nlohmann::ordered_json points = nlohmann::ordered_json::array();
  for (const auto& point : points_) {
    nlohmann::ordered_json values = nlohmann::ordered_json::object();
    for (std::size_t a = 0; a < spec_.axes.size(); ++a) values[spec_.axes[a].key] = point.values[a];
    const auto it = outcomes_.find(point.id);
    points.push_back({{"index", point.index},
                      {"id", point.id},
                      {"values", values},
                      {"status", to_string(it == outcomes_.end() ? PointStatus::Pending
                                                                 : it->second.status)},
                      {"dir", store_.point_dir(point.id)},
                      {"command", command(point)}});
  }
  nlohmann::ordered_json axes = nlohmann::ordered_json::array();
  for (const auto& axis : spec_.axes) axes.push_back(axis.key);
  nlohmann::ordered_json groups = nlohmann::ordered_json::array();
  for (const auto& group : spec_.groups) {
    nlohmann::ordered_json keys = nlohmann::ordered_json::array();
    for (const std::size_t a : group) keys.push_back(spec_.axes[a].key);
    groups.push_back(keys);
  }
  const nlohmann::ordered_json plan = {{"spec", spec_.file},
                                       {"name", spec_.name},
                                       {"out", store_.dir()},
                                       {"results", store_.results_path()},
                                       {"axes", axes},
                                       {"groups", groups},
                                       {"points", points}};
  return plan.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

SweepReport Sweep::run(std::ostream& log) {
  const std::set<std::string> only(options_.only.begin(), options_.only.end());
  const bool partial = !only.empty();
  std::deque<const DesignPoint*> queue;
  for (const auto& point : points_) {
    if (partial && only.count(point.id) == 0) continue;
    const auto it = outcomes_.find(point.id);
    const bool finished = it != outcomes_.end() && it->second.finished();
    const bool retry = finished && options_.retry_failed && it->second.status != PointStatus::Ok;
    if (!finished || retry) queue.push_back(&point);
  }
  const std::size_t todo = queue.size();
  const std::size_t scope = partial ? only.size() : points_.size();
  Progress progress(log, options_.progress, todo, scope - todo, scope);
  if (!partial) collect();

  struct Running {
    const DesignPoint* point;
    std::unique_ptr<ChildProcess> child;
    Clock::time_point start;
    bool timed_out = false;
    bool stopping = false;
    Clock::time_point stop_sent;
  };
  const std::optional<double> timeout = options_.timeout_s ? options_.timeout_s : spec_.timeout_s;
  const unsigned jobs = std::max(1u, options_.jobs);
  std::vector<Running> running;
  std::size_t ran = 0;
  auto last_write = Clock::now();
  bool dirty = false;

  StopSignals signals;
  while ((!queue.empty() && !g_stop) || !running.empty()) {
    while (!g_stop && running.size() < jobs && !queue.empty()) {
      const DesignPoint* point = queue.front();
      queue.pop_front();
      store_.prepare_point(point->id);
      outcomes_.erase(point->id);
      const std::string dir = store_.point_dir(point->id);
      running.push_back(Running{point,
                                std::make_unique<ChildProcess>(
                                    command(*point), (fs::path(dir) / "stdout.txt").string(),
                                    (fs::path(dir) / "stderr.txt").string()),
                                Clock::now(), false, false, Clock::time_point{}});
    }
    sleep_ms(5);
    const auto now = Clock::now();
    for (std::size_t i = 0; i < running.size();) {
      Running& r = running[i];
      const auto ended = r.child->poll();
      if (!ended) {
        const double age = std::chrono::duration<double>(now - r.start).count();
        if (timeout && age > *timeout && !r.timed_out) {
          r.timed_out = true;
          r.child->kill(SIGKILL);
        }
        if (g_stop && !r.stopping) {
          r.stopping = true;
          r.stop_sent = now;
          r.child->kill(SIGTERM);
        } else if (r.stopping && now - r.stop_sent > std::chrono::seconds(2)) {
          r.child->kill(SIGKILL);
        }
        ++i;
        continue;
      }
      const bool interrupted = ended->signaled && (r.stopping || g_stop) && !r.timed_out;
      if (!interrupted) {
        PointOutcome outcome =
            judge(*r.point, ended->code, ended->signaled, ended->describe(), r.timed_out);
        outcome.elapsed_s = std::chrono::duration<double>(now - r.start).count();
        store_.record(spec_, *r.point, outcome);
        const bool ok = outcome.status == PointStatus::Ok;
        std::string line = std::string(ok ? "ok     " : outcome.status == PointStatus::Timeout
                                                             ? "TIMEOUT "
                                                             : "FAILED ") +
                           describe_point(spec_, *r.point) + "  (" + seconds_text(outcome.elapsed_s) + ")";
        if (!ok) line += ": " + outcome.error;
        outcomes_[r.point->id] = std::move(outcome);
        progress.finished(line, !ok);
        ++ran;
        dirty = true;
      }
      running.erase(running.begin() + static_cast<std::ptrdiff_t>(i));
    }
    if (dirty && !partial &&
        std::chrono::duration<double>(Clock::now() - last_write).count() >= options_.results_interval_s) {
      collect();
      last_write = Clock::now();
      dirty = false;
    }
    progress.tick(running.size());
  }
  progress.close();
  if (!partial) collect();
  SweepReport report = tally();
  report.ran = ran;
  report.already = scope - todo;
  report.interrupted = g_stop != 0;
  return report;
}

}  // namespace qarch::dse
