// qarch pareto: the Pareto front of a results table (results.csv of a sweep, or any CSV).

#include <ostream>

#include "cli/dse_commands.hpp"
#include "cli/options.hpp"
#include "dse/csv.hpp"
#include "dse/pareto.hpp"
#include "report/output_files.hpp"

namespace qarch::cli {
namespace {

// The objectives in command-line order (--minimize and --maximize may interleave).
std::vector<dse::Objective> objectives_in_order(const po::parsed_options& parsed) {
  std::vector<dse::Objective> objectives;
  for (const auto& option : parsed.options) {
    if (option.string_key != "minimize" && option.string_key != "maximize") continue;
    for (const auto& value : option.value) {
      objectives.push_back({value, option.string_key == "maximize"});
    }
  }
  return objectives;
}

}  // namespace

int run_pareto(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  po::options_description options("options");
  options.add_options()
      ("results", po::value<std::string>()->required(), "results.csv of a sweep (or any CSV)")
      ("minimize", po::value<std::vector<std::string>>()->composing(),
       "a column to minimize, e.g. energy_pj (repeatable)")
      ("maximize", po::value<std::vector<std::string>>()->composing(),
       "a column to maximize, e.g. top1 (repeatable)")
      ("out", po::value<std::string>(), "also write the front to this CSV file");
  po::variables_map vm;
  if (!parse_options("pareto", "--results FILE --minimize COL [--maximize COL]... [--out FILE]",
                     options, args, vm, out)) {
    return 0;
  }
  po::options_description all = options;
  all.add_options()("help,h", "");
  const auto style = po::command_line_style::default_style & ~po::command_line_style::allow_guessing;
  const auto objectives =
      objectives_in_order(po::command_line_parser(args).options(all).style(style).run());

  const std::string file = vm["results"].as<std::string>();
  const dse::CsvTable table = dse::read_csv_file(file);
  const dse::FrontResult result = dse::pareto_front(table, objectives, file);
  for (const auto& note : result.notes) err << "note: " << note << "\n";
  err << "pareto: " << result.front.rows.size() << " of " << result.candidates
      << " points are on the front\n";
  const std::string csv = dse::render_csv(result.front);
  if (vm.count("out")) report::write_file_atomically(vm["out"].as<std::string>(), csv);
  out << csv;
  return 0;
}

}  // namespace qarch::cli
