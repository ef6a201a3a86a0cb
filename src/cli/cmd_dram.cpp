// `qarch dram`: replay a DRAM request trace through the configured device.

#include <iomanip>
#include <ostream>

#include "arch/arch_spec.hpp"
#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "eval/dram_replay.hpp"

namespace qarch::cli {

int run_dram(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  po::options_description options("options");
  options.add_options()
      ("arch", po::value<std::string>()->required(), "design point YAML (its memory.dram is replayed)")
      ("trace", po::value<std::string>()->required(), "request trace: <arrival_ns> <R|W> <address> per line")
      ("set", po::value<std::vector<std::string>>()->composing(), "override an architecture key")
      ("format", po::value<std::string>()->default_value("table"), "table or json")
      ("models", po::value<std::string>()->default_value(default_models_dir()),
       "directory of technology tables and DRAM devices (models/)");
  po::variables_map vm;
  try {
    if (!parse_options("dram", "--arch FILE --trace FILE [--set KEY=VALUE]... [--format table|json]",
                       options, args, vm, out)) {
      return 0;
    }
  } catch (const po::error& e) {
    err << "error: " << e.what() << "\n";
    return 2;
  }
  const std::string format = vm["format"].as<std::string>();
  if (format != "table" && format != "json") {
    err << "error: --format: expected table or json, got '" << format << "'\n";
    return 2;
  }
  const arch::ArchSpec arch =
      arch::load_arch(vm["arch"].as<std::string>(), overrides_from(vm), vm["models"].as<std::string>());
  const eval::DramReplay r = eval::replay_trace(arch.memory.dram, vm["trace"].as<std::string>());
  const arch::DramSpec& d = arch.memory.dram;
  if (format == "json") {
    out << std::setprecision(10) << "{\"device\": \"" << d.device << "\", \"requests\": " << r.requests
        << ", \"reads\": " << r.reads << ", \"writes\": " << r.writes << ", \"gb_per_s\": " << r.gb_per_s
        << ", \"avg_read_latency_ns\": " << r.avg_read_latency_ns << ", \"row_hit_rate\": " << r.row_hit_rate
        << ", \"total_ns\": " << r.total_ns << ", \"refreshes\": " << r.refreshes << "}\n";
    return 0;
  }
  out << std::fixed << std::setprecision(3) << "device:             " << d.device << " (" << d.channels
      << " x " << d.bus_bits << "-bit, peak " << d.bandwidth_gb_per_s() << " GB/s)\n"
      << "requests:           " << r.requests << " (" << r.reads << " reads, " << r.writes << " writes, "
      << eval::kTraceRequestBytes << " B each)\n"
      << "gb_per_s:           " << r.gb_per_s << "\n"
      << "avg_read_latency_ns: " << r.avg_read_latency_ns << "\n"
      << "row_hit_rate:       " << r.row_hit_rate << "\n"
      << "total_ns:           " << r.total_ns << "\n"
      << "refreshes:          " << r.refreshes << "\n";
  return 0;
}

}  // namespace qarch::cli
