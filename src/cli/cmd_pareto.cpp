// qarch pareto: the Pareto front of a results table (results.csv of a sweep, or any CSV), and
// qarch best: its best row under constraints (dse/constraint.hpp).

#include <ostream>

#include "cli/dse_commands.hpp"
#include "cli/options.hpp"
#include "dse/constraint.hpp"
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

std::vector<dse::Constraint> constraints_from(const po::variables_map& vm) {
  std::vector<dse::Constraint> constraints;
  if (vm.count("constraint")) {
    for (const std::string& text : vm["constraint"].as<std::vector<std::string>>()) {
      constraints.push_back(dse::Constraint::parse(text));
    }
  }
  return constraints;
}

// The table of `file` with only the rows that satisfy --constraint; notes to `err`.
dse::CsvTable constrained_table(const po::variables_map& vm, std::ostream& err) {
  const std::string file = vm["results"].as<std::string>();
  const dse::CsvTable table = dse::read_csv_file(file);
  const dse::Filtered filtered = dse::apply_constraints(table, constraints_from(vm), file);
  for (const auto& note : filtered.notes) err << "note: " << note << "\n";
  return filtered.table;
}

const char* const kConstraintHelp =
    "keep only rows where this holds, e.g. 'top1>=reference_top1-0.01' or 'energy_pj<2e9' "
    "(repeatable; + - * / and parentheses over numbers and columns)";

}  // namespace

int run_pareto(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  po::options_description options("options");
  options.add_options()
      ("results", po::value<std::string>()->required(), "results.csv of a sweep (or any CSV)")
      ("minimize", po::value<std::vector<std::string>>()->composing(),
       "a column to minimize, e.g. energy_pj (repeatable)")
      ("maximize", po::value<std::vector<std::string>>()->composing(),
       "a column to maximize, e.g. top1 (repeatable)")
      ("constraint", po::value<std::vector<std::string>>()->composing(), kConstraintHelp)
      ("out", po::value<std::string>(), "also write the front to this CSV file");
  po::variables_map vm;
  if (!parse_options("pareto", "--results FILE --minimize COL [--maximize COL]... [--constraint EXPR]... [--out FILE]",
                     options, args, vm, out)) {
    return 0;
  }
  po::options_description all = options;
  all.add_options()("help,h", "");
  const auto style = po::command_line_style::default_style & ~po::command_line_style::allow_guessing;
  const auto objectives =
      objectives_in_order(po::command_line_parser(args).options(all).style(style).run());

  const std::string file = vm["results"].as<std::string>();
  const dse::CsvTable table = constrained_table(vm, err);
  const dse::FrontResult result = dse::pareto_front(table, objectives, file);
  for (const auto& note : result.notes) err << "note: " << note << "\n";
  err << "pareto: " << result.front.rows.size() << " of " << result.candidates
      << " points are on the front\n";
  const std::string csv = dse::render_csv(result.front);
  if (vm.count("out")) report::write_file_atomically(vm["out"].as<std::string>(), csv);
  out << csv;
  return 0;
}

int run_best(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  po::options_description options("options");
  options.add_options()
      ("results", po::value<std::string>()->required(), "results.csv of a sweep (or any CSV)")
      ("minimize", po::value<std::string>(), "the column to minimize, e.g. energy_pj")
      ("maximize", po::value<std::string>(), "the column to maximize, e.g. top1")
      ("constraint", po::value<std::vector<std::string>>()->composing(), kConstraintHelp)
      ("format", po::value<std::string>()->default_value("table"), "table (column: value lines) or csv");
  po::variables_map vm;
  if (!parse_options("best", "--results FILE (--minimize COL | --maximize COL) [--constraint EXPR]...", options, args,
                     vm, out)) {
    return 0;
  }
  if (vm.count("minimize") + vm.count("maximize") != 1) throw po::error("give exactly one of --minimize and --maximize");
  const std::string format = vm["format"].as<std::string>();
  if (format != "table" && format != "csv") throw po::error("--format must be table or csv, got '" + format + "'");
  const bool maximize = vm.count("maximize") > 0;
  const std::string column = vm[maximize ? "maximize" : "minimize"].as<std::string>();
  const std::string file = vm["results"].as<std::string>();
  const dse::CsvTable table = constrained_table(vm, err);
  // One objective: the front is the rows with the best value; the first of them in file order.
  const dse::FrontResult front = dse::pareto_front(table, {{column, maximize}}, file);
  for (const auto& note : front.notes) err << "note: " << note << "\n";
  if (front.front.rows.empty()) {
    err << "error: no row of " << file << " satisfies the constraints and has a value for " << column << "\n";
    return 1;
  }
  const std::vector<std::string>& row = front.front.rows.front();
  if (format == "csv") {
    out << dse::csv_row(table.header) << dse::csv_row(row);
    return 0;
  }
  std::size_t width = 0;
  for (const std::string& name : table.header) width = std::max(width, name.size());
  for (std::size_t i = 0; i < table.header.size(); ++i) {
    out << table.header[i] << ":" << std::string(width + 1 - table.header[i].size(), ' ') << row[i] << "\n";
  }
  return 0;
}

}  // namespace qarch::cli
