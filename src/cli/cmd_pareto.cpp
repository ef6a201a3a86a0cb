// qarch pareto: the Pareto front of a results table (results.csv of a sweep, or any CSV), and
// qarch best: its best row under constraints (dse/constraint.hpp).

#include <unistd.h>

#include <iostream>
#include <ostream>
#include <sstream>

#include "cli/dse_commands.hpp"
#include "cli/options.hpp"
#include "dse/constraint.hpp"
#include "dse/csv.hpp"
#include "dse/pareto.hpp"
#include "report/number_format.hpp"
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

// A results cell for people: units from the column's name (energy_pj, latency_s, area_um2,
// *_bytes, top1), four significant digits otherwise; text as it is.
std::string readable(const std::string& column, const std::string& text) {
  double v = 0;
  if (!dse::parse_number(text, v)) return text.empty() ? "-" : text;
  const auto ends = [&](const std::string& suffix) {
    return column.size() >= suffix.size() && column.compare(column.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  if (ends("_pj")) return report::quantity(v * 1e-12, "J");
  if (ends("_s")) return report::quantity(v, "s");
  if (ends("_um2")) return report::quantity(v * 1e-6, "mm2");
  if (column == "top1" || column == "reference_top1") return report::percent_of(v);
  if (ends("_bytes") || ends("_cycles") || column == "macs") return report::grouped(static_cast<std::int64_t>(v));
  return report::significant(v);
}

// The columns a table shows: --columns, or the objectives and the columns whose values differ
// between the rows (what tells the points apart), the point's number first.
std::vector<std::size_t> table_columns(const dse::CsvTable& front, const std::vector<dse::Objective>& objectives,
                                       const po::variables_map& vm, const std::string& file) {
  std::vector<std::size_t> picked;
  const auto add = [&](const std::string& name) {
    const auto at = front.column(name);
    if (!at) {
      throw config::InputError(config::Diagnostic{config::Location{file, 0, 0}, "",
                                                  "--columns: no column '" + name + "' in the results"});
    }
    if (std::find(picked.begin(), picked.end(), *at) == picked.end()) picked.push_back(*at);
  };
  if (vm.count("columns")) {
    std::stringstream list(vm["columns"].as<std::string>());
    for (std::string name; std::getline(list, name, ',');) {
      if (!name.empty()) add(name);
    }
    return picked;
  }
  if (front.column("point")) add("point");
  for (const auto& o : objectives) add(o.column);
  for (std::size_t c = 0; c < front.header.size() && picked.size() < 10; ++c) {
    bool differs = false;
    for (const auto& row : front.rows) differs = differs || row[c] != front.rows.front()[c];
    if (differs && std::find(picked.begin(), picked.end(), c) == picked.end()) picked.push_back(c);
  }
  return picked;
}

// Aligned columns: text left, numbers right.
std::string render_front_table(const dse::CsvTable& front, const std::vector<std::size_t>& columns) {
  std::vector<std::vector<std::string>> cells(front.rows.size() + 1);
  for (const std::size_t c : columns) cells[0].push_back(front.header[c]);
  for (std::size_t r = 0; r < front.rows.size(); ++r) {
    for (const std::size_t c : columns) cells[r + 1].push_back(readable(front.header[c], front.rows[r][c]));
  }
  std::vector<std::size_t> width(columns.size());
  std::vector<bool> numeric(columns.size(), true);
  for (std::size_t i = 0; i < columns.size(); ++i) {
    for (const auto& row : cells) width[i] = std::max(width[i], row[i].size());
    for (const auto& row : front.rows) {
      double v = 0;
      numeric[i] = numeric[i] && (row[columns[i]].empty() || dse::parse_number(row[columns[i]], v));
    }
  }
  std::ostringstream out;
  for (const auto& row : cells) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i) {
      const std::string pad(width[i] - row[i].size(), ' ');
      line += (i ? "  " : "") + (numeric[i] ? pad + row[i] : row[i] + pad);
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out << line << "\n";
  }
  return out.str();
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
      ("out", po::value<std::string>(), "also write the front to this CSV file")
      ("format", po::value<std::string>(),
       "table (aligned, units, the columns that differ) or csv (every column); default: table on a terminal, else csv")
      ("columns", po::value<std::string>(), "table: these columns, comma-separated (default: point, objectives, what differs)");
  po::variables_map vm;
  if (!parse_options("pareto", "--results FILE --minimize COL [--maximize COL]... [--constraint EXPR]... [--out FILE] [--format table|csv] [--columns A,B]",
                     options, args, vm, out)) {
    return 0;
  }
  po::options_description all = options;
  all.add_options()("help,h", "");
  const auto style = po::command_line_style::default_style & ~po::command_line_style::allow_guessing;
  const auto objectives =
      objectives_in_order(po::command_line_parser(args).options(all).style(style).run());

  const bool terminal = &out == &std::cout && ::isatty(STDOUT_FILENO) == 1;
  const std::string format = vm.count("format") ? vm["format"].as<std::string>() : terminal ? "table" : "csv";
  if (format != "table" && format != "csv") throw po::error("--format must be table or csv, got '" + format + "'");
  if (vm.count("columns") && format != "table") throw po::error("--columns needs --format table");
  const std::string file = vm["results"].as<std::string>();
  const dse::CsvTable table = constrained_table(vm, err);
  const dse::FrontResult result = dse::pareto_front(table, objectives, file);
  for (const auto& note : result.notes) err << "note: " << note << "\n";
  err << "pareto: " << result.front.rows.size() << " of " << result.candidates
      << " points are on the front\n";
  const std::string csv = dse::render_csv(result.front);
  const std::string text = format == "csv" ? csv : render_front_table(result.front, table_columns(result.front, objectives, vm, file));
  if (vm.count("out")) report::write_file_atomically(vm["out"].as<std::string>(), csv);
  out << text;
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
