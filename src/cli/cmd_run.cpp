// qarch run: one design point, one network, one report.

#include <filesystem>
#include <fstream>
#include <optional>
#include <ostream>

#include "arch/arch_spec.hpp"
#include "arch/network_check.hpp"
#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "eval/evaluate.hpp"
#include "report/output_files.hpp"
#include "report/render.hpp"
#include "workload/network.hpp"

namespace qarch::cli {

int run_run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  po::options_description options("options");
  options.add_options()
      ("arch", po::value<std::string>()->required(), "design point YAML (configs/*.yaml)")
      ("workload", po::value<std::string>()->required(),
       "network YAML (workloads/*.yaml) or SCALE-Sim topology (*.csv)")
      ("set", po::value<std::vector<std::string>>()->composing(),
       "override an architecture key, e.g. --set pe_array.rows=32 (repeatable)")
      ("out", po::value<std::string>(), "write layers.csv, summary.json and report.md to this directory")
      ("format", po::value<std::string>()->default_value("table"),
       "what to print on stdout: table, csv, json or md")
      ("models", po::value<std::string>()->default_value(default_models_dir()),
       "directory of technology tables (models/*.yaml)")
      ("functional", "also compute real outputs with the configured arithmetic: top-1 accuracy and value statistics")
      ("dataset", po::value<std::string>()->default_value(eval::default_dataset_dir()),
       "functional: MNIST-style IDX directory (t10k-images/labels, train-images for calibration)")
      ("limit", po::value<std::int64_t>()->default_value(10000), "functional: test images to evaluate")
      ("per-channel", "functional: one weight scale per output channel for integer formats")
      ("dram-trace", po::value<std::string>(),
       "write every simulated DRAM access to this file, in the trace format of qarch dram");
  po::variables_map vm;
  if (!parse_options("run", "--arch FILE --workload FILE [options]", options, args, vm, out)) {
    return 0;
  }
  const std::string format = vm["format"].as<std::string>();
  if (format != "table" && format != "csv" && format != "json" && format != "md") {
    throw po::error("--format must be table, csv, json or md, got '" + format + "'");
  }
  const auto arch = arch::load_arch(vm["arch"].as<std::string>(), overrides_from(vm), vm["models"].as<std::string>());
  const auto network = workload::load_network(vm["workload"].as<std::string>());
  arch::check_network(arch, network);

  eval::Options run_options;
  run_options.models_dir = vm["models"].as<std::string>();
  if (vm.count("functional")) {
    run_options.functional = eval::FunctionalSettings{vm["dataset"].as<std::string>(),
                                                      vm["limit"].as<std::int64_t>(), vm.count("per-channel") > 0};
  } else if (!vm["dataset"].defaulted() || !vm["limit"].defaulted() || vm.count("per-channel")) {
    throw po::error("--dataset, --limit and --per-channel need --functional");
  }
  // The trace goes to a temporary file beside the target and replaces it only when the run
  // succeeded, so a failed run leaves no partial trace.
  std::optional<std::ofstream> trace;
  std::string trace_path, trace_temp;
  if (vm.count("dram-trace")) {
    trace_path = vm["dram-trace"].as<std::string>();
    trace_temp = trace_path + ".partial";
    trace.emplace(trace_temp);
    if (!*trace) throw po::error("--dram-trace: cannot write " + trace_path);
    *trace << "# qarch run --arch " << vm["arch"].as<std::string>() << " --workload "
           << vm["workload"].as<std::string>() << "\n# arrival_ns op addr (64 B each)\n";
    run_options.dram_trace = &*trace;
  }
  report::NetworkResult result;
  try {
    result = eval::evaluate(arch, network, run_options);
    if (trace) {
      trace->close();
      if (!*trace) throw po::error("--dram-trace: cannot write " + trace_path);
      std::filesystem::rename(trace_temp, trace_path);
      err << "wrote " << trace_path << "\n";
    }
  } catch (...) {
    if (trace) std::filesystem::remove(trace_temp);
    throw;
  }
  if (vm.count("out")) {
    const std::string dir = vm["out"].as<std::string>();
    report::write_report_files(dir, result);
    err << "wrote " << dir << "/layers.csv, summary.json and report.md\n";
  }
  if (format == "table") out << report::render_table(result);
  if (format == "csv") out << report::render_csv(result);
  if (format == "json") out << report::render_json(result);
  if (format == "md") out << report::render_markdown(result);
  return 0;
}

}  // namespace qarch::cli
