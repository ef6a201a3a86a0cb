#pragma once
// One function per subcommand. Each receives the arguments after the subcommand's name, parses
// them with Boost.Program_options, and returns an exit code. They may throw config::InputError,
// numerics::FormatError, report::OutputError or boost::program_options::error; run_cli turns
// those into "error:" lines and exit code 2.

#include <iosfwd>
#include <string>
#include <vector>

namespace qarch::cli {

int run_run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int run_explain(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
// qarch dram --arch FILE --trace FILE: replays a DRAM request trace (eval/dram_replay.hpp).
int run_dram(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int run_validate(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace qarch::cli
