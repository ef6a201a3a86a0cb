#pragma once
// The design-space exploration subcommands (src/dse). Same contract as commands.hpp: the
// arguments after the subcommand's name, an exit code, and config::InputError /
// report::OutputError / boost::program_options::error thrown for run_cli to report.

#include <iosfwd>
#include <string>
#include <vector>

namespace qarch::cli {

// qarch sweep --spec FILE [--jobs N] [--out DIR] ...: runs every design point of a sweep spec
// as a child `qarch run`, resumably; exit 0 when every point finished (failed ones included),
// 130 when interrupted.
int run_sweep(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

// qarch pareto --results FILE --minimize COL --maximize COL ... [--constraint EXPR]...: the
// Pareto front of the rows satisfying every constraint, as CSV.
int run_pareto(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

// qarch best --results FILE --minimize COL | --maximize COL [--constraint EXPR]...: the row
// that does best under the constraints, one "column: value" line each (or CSV); exit 1 when no
// row satisfies them.
int run_best(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace qarch::cli
