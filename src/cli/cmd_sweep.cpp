// qarch sweep: every design point of a sweep spec as its own `qarch run` process.

#include <sched.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <iostream>
#include <set>

#include "cli/dse_commands.hpp"
#include "cli/options.hpp"
#include "dse/sweep_runner.hpp"
#include "dse/sweep_spec.hpp"

namespace qarch::cli {
namespace {

unsigned available_cpus() {
  cpu_set_t set;
  if (::sched_getaffinity(0, sizeof set, &set) == 0) {
    const int n = CPU_COUNT(&set);
    if (n > 0) return static_cast<unsigned>(n);
  }
  return 1;
}

std::vector<std::string> split_ids(const std::vector<std::string>& lists) {
  std::vector<std::string> ids;
  for (const auto& list : lists) {
    std::size_t start = 0;
    while (start <= list.size()) {
      const std::size_t comma = std::min(list.find(',', start), list.size());
      if (comma > start) ids.push_back(list.substr(start, comma - start));
      start = comma + 1;
    }
  }
  return ids;
}

}  // namespace

int run_sweep(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  po::options_description options("options");
  options.add_options()
      ("spec", po::value<std::string>()->required(), "sweep spec YAML (configs/sweeps/*.yaml)")
      ("out", po::value<std::string>(), "output directory (default: out/sweeps/<spec name>)")
      ("jobs,j", po::value<std::int64_t>(), "design points run at a time (default: available CPUs)")
      ("timeout", po::value<double>(), "seconds one point may take before it is killed and "
                                       "recorded as timeout (default: the spec's timeout_s, else none)")
      ("retry-failed", po::bool_switch(), "rerun points recorded as failed or timeout")
      ("restart", po::bool_switch(), "discard the finished points in the output directory first")
      ("quiet,q", po::bool_switch(), "print no progress")
      ("progress", po::value<std::string>()->default_value("auto"),
       "auto (a bar on a terminal, else one line per point), bar, lines or none")
      ("check", po::bool_switch(), "validate the spec against the architecture, print the number "
                                   "of points and exit")
      ("plan", po::bool_switch(), "print every point (id, values, status, command) as JSON and exit")
      ("collect", po::bool_switch(), "only rewrite results.csv from the finished points")
      ("only", po::value<std::vector<std::string>>()->composing(),
       "run only these point ids (comma-separated, repeatable) and leave results.csv alone")
      ("qarch", po::value<std::string>(), "executable that runs a point (default: this qarch)");
  po::variables_map vm;
  if (!parse_options("sweep", "--spec FILE [--jobs N] [--out DIR] [options]", options, args, vm,
                     out)) {
    return 0;
  }
  const std::string progress = vm["progress"].as<std::string>();
  if (progress != "auto" && progress != "bar" && progress != "lines" && progress != "none") {
    throw po::error("--progress must be auto, bar, lines or none, got '" + progress + "'");
  }
  // Read signed: an unsigned option takes -1 as 4294967295.
  if (vm.count("jobs") && (vm["jobs"].as<std::int64_t>() < 1 || vm["jobs"].as<std::int64_t>() > 4096)) {
    throw po::error("--jobs must be from 1 to 4096, got " + std::to_string(vm["jobs"].as<std::int64_t>()));
  }
  if (vm.count("timeout") && !(vm["timeout"].as<double>() > 0)) {
    throw po::error("--timeout must be a number of seconds above 0");
  }
  const int modes = vm["check"].as<bool>() + vm["plan"].as<bool>() + vm["collect"].as<bool>();
  if (modes > 1) throw po::error("--check, --plan and --collect exclude each other");

  dse::SweepSpec spec = dse::load_sweep_spec(vm["spec"].as<std::string>());
  dse::check_against_arch(spec);
  if (vm["check"].as<bool>()) {
    out << "ok: " << spec.point_count() << " points\n";
    return 0;
  }

  dse::SweepOptions opts;
  opts.out_dir = vm.count("out") ? vm["out"].as<std::string>()
                                 : (std::filesystem::path("out") / "sweeps" / spec.name).string();
  opts.jobs = vm.count("jobs") ? static_cast<unsigned>(vm["jobs"].as<std::int64_t>()) : available_cpus();
  if (vm.count("timeout")) opts.timeout_s = vm["timeout"].as<double>();
  opts.retry_failed = vm["retry-failed"].as<bool>();
  opts.restart = vm["restart"].as<bool>();
  if (vm.count("only")) opts.only = split_ids(vm["only"].as<std::vector<std::string>>());
  if (vm.count("qarch")) {
    opts.qarch_exe = vm["qarch"].as<std::string>();
  } else {
    std::error_code ec;
    opts.qarch_exe = std::filesystem::read_symlink("/proc/self/exe", ec).string();
    if (ec) opts.qarch_exe = "/proc/self/exe";
  }
  const bool terminal = &err == &std::cerr && ::isatty(STDERR_FILENO) == 1;
  opts.progress = dse::ProgressMode::Lines;
  if (vm["quiet"].as<bool>() || progress == "none") {
    opts.progress = dse::ProgressMode::Quiet;
  } else if (progress == "bar" || (progress == "auto" && terminal)) {
    opts.progress = dse::ProgressMode::Bar;
  }

  dse::Sweep sweep(std::move(spec), opts);
  if (!opts.only.empty()) {
    std::set<std::string> known;
    for (const auto& point : sweep.points()) known.insert(point.id);
    for (const auto& id : opts.only) {
      if (known.count(id) == 0) throw po::error("--only: no point of this spec has the id '" + id + "'");
    }
  }
  if (vm["plan"].as<bool>()) {
    out << sweep.plan_json();
    return 0;
  }
  if (vm["collect"].as<bool>()) {
    sweep.collect();
    out << sweep.store().results_path() << "\n";
    return 0;
  }
  const dse::SweepReport report = sweep.run(err);
  const std::string where = opts.only.empty() ? sweep.store().results_path() : sweep.store().dir();
  if (opts.progress != dse::ProgressMode::Quiet || report.interrupted) {
    err << "sweep: " << report.points << " points: " << report.ok << " ok, " << report.failed
        << " failed, " << report.timed_out << " timed out, " << report.pending << " pending ("
        << report.ran << " run now, " << report.already << " finished before) -> " << where << "\n";
  }
  if (report.interrupted) {
    err << "sweep: interrupted; run the same command again to resume\n";
    return 130;
  }
  return 0;
}

}  // namespace qarch::cli
