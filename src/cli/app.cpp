#include "cli/app.hpp"

#include <boost/program_options/errors.hpp>
#include <iostream>
#include <map>
#include <new>

#include "cli/cmd_map.hpp"
#include "cli/cmd_numerics.hpp"
#include "cli/commands.hpp"
#include "cli/dse_commands.hpp"
#include "config/diagnostic.hpp"
#include "config/suggest.hpp"
#include "numerics/format.hpp"
#include "report/output_files.hpp"
#include "report/version.hpp"

namespace qarch::cli {
namespace {

using Handler = int (*)(const std::vector<std::string>&, std::istream&, std::ostream&, std::ostream&);

struct Command {
  Handler run;
  const char* summary;
};

const std::map<std::string, Command>& commands() {
  static const std::map<std::string, Command> table = {
      {"run", {[](const auto& a, auto&, auto& o, auto& e) { return run_run(a, o, e); },
               "simulate a network on a design point and report per layer"}},
      {"explain", {[](const auto& a, auto&, auto& o, auto& e) { return run_explain(a, o, e); },
                   "show action counts x cost per action = energy, per layer and component"}},
      {"validate", {[](const auto& a, auto&, auto& o, auto& e) { return run_validate(a, o, e); },
                    "check an architecture (and workload) and print ok or every error"}},
      {"dram", {[](const auto& a, auto&, auto& o, auto& e) { return run_dram(a, o, e); },
                "replay a DRAM request trace through the design point's DRAM"}},
      {"map", {[](const auto& a, auto&, auto& o, auto& e) { return run_map(a, o, e); },
               "print how each layer maps onto the PE array"}},
      {"sweep", {[](const auto& a, auto&, auto& o, auto& e) { return run_sweep(a, o, e); },
                 "run every design point of a sweep spec, in parallel and resumable"}},
      {"pareto", {[](const auto& a, auto&, auto& o, auto& e) { return run_pareto(a, o, e); },
                  "the Pareto front of a sweep's results.csv"}},
      {"best", {[](const auto& a, auto&, auto& o, auto& e) { return run_best(a, o, e); },
                "the best point of a results.csv under constraints (e.g. an accuracy floor)"}},
      {"formats", {[](const auto& a, auto&, auto& o, auto& e) { return run_formats(a, o, e); },
                   "list number formats and multiplier styles"}},
      {"quantize", {[](const auto& a, auto& i, auto& o, auto& e) { return run_quantize(a, i, o, e); },
                    "quantize values to a format and print what they decode to"}},
      {"multiply", {[](const auto& a, auto&, auto& o, auto& e) { return run_multiply(a, o, e); },
                    "multiply two values as a multiplier style does"}},
      {"dot", {[](const auto& a, auto&, auto& o, auto& e) { return run_dot(a, o, e); },
               "an MX block dot product: exact per-block sums, fp32 accumulation"}},
  };
  return table;
}

void usage(std::ostream& out) {
  out << "usage: qarch <command> [options]    (qarch <command> --help for its options)\n\n"
         "commands:\n";
  for (const auto& [name, command] : commands()) {
    out << "  " << name << std::string(12 - name.size(), ' ') << command.summary << "\n";
  }
  out << "\n  --version   print the version\n  --help      print this help\n";
}

int dispatch(const std::vector<std::string>& args, std::istream& in, std::ostream& out,
             std::ostream& err) {
  if (args.empty()) {
    usage(err);
    return kExitUsage;
  }
  const std::string& name = args.front();
  if (name == "--version" || name == "version") {
    if (args.size() > 1) {
      err << "error: --version takes no arguments, got '" << args[1] << "'\n";
      return kExitUsage;
    }
    out << "qarch " << report::kVersion << "\n";
    return kExitOk;
  }
  if (name == "--help" || name == "-h" || name == "help") {
    usage(out);
    return kExitOk;
  }
  const auto it = commands().find(name);
  if (it == commands().end()) {
    std::vector<std::string> names;
    for (const auto& entry : commands()) names.push_back(entry.first);
    err << "error: unknown command '" << name << "'" << config::did_you_mean(name, names)
        << "; run 'qarch --help' for the list\n";
    return kExitUsage;
  }
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  try {
    return it->second.run(rest, in, out, err);
  } catch (const boost::program_options::error& e) {
    err << "error: " << e.what() << " (see 'qarch " << name << " --help')\n";
    return kExitUsage;
  }
}

}  // namespace

int run_cli(const std::vector<std::string>& args, std::istream& in, std::ostream& out,
            std::ostream& err) {
  try {
    return dispatch(args, in, out, err);
  } catch (const config::InputError& e) {
    for (const auto& d : e.diagnostics()) err << "error: " << d.to_string() << "\n";
    return kExitUsage;
  } catch (const numerics::FormatError& e) {
    err << "error: " << e.what() << "\n";
    return kExitUsage;
  } catch (const report::OutputError& e) {
    err << "error: " << e.what() << "\n";
    return kExitUsage;
  } catch (const std::bad_alloc&) {
    err << "error: out of memory\n";
    return kExitInternal;
  } catch (const std::exception& e) {
    err << "error: internal error: " << e.what() << "\n";
    return kExitInternal;
  }
}

}  // namespace qarch::cli
