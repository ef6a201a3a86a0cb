#pragma once
// Shared Boost.Program_options plumbing for the subcommands.

#include <boost/program_options.hpp>
#include <iosfwd>
#include <string>
#include <vector>

#include "config/document.hpp"
#include "workload/network.hpp"

namespace qarch::cli {

namespace po = boost::program_options;

// Parses `args` against `options` (no positional arguments unless `positional` is given).
// Returns false after printing usage when --help was asked for.
bool parse_options(const std::string& command, const std::string& synopsis,
                   const po::options_description& options, const std::vector<std::string>& args,
                   po::variables_map& vm, std::ostream& out,
                   const po::positional_options_description* positional = nullptr);

// The --set values that set the architecture (throws config::InputError on a malformed one).
std::vector<config::Override> overrides_from(const po::variables_map& vm);

// The --workload network with the --set values whose key starts with `workload.` applied to it
// (workload::load_network).
workload::Network network_from(const po::variables_map& vm);

// Where the technology tables are: $QARCH_MODELS_DIR if set, else the repository's models/.
std::string default_models_dir();

}  // namespace qarch::cli
