#include "cli/options.hpp"

#include <cstdlib>
#include <ostream>

#include "arch/arch_spec.hpp"

namespace qarch::cli {

bool parse_options(const std::string& command, const std::string& synopsis,
                   const po::options_description& options, const std::vector<std::string>& args,
                   po::variables_map& vm, std::ostream& out,
                   const po::positional_options_description* positional) {
  po::options_description all = options;
  all.add_options()("help,h", "show this help and exit");
  po::positional_options_description none;
  const auto style = po::command_line_style::default_style &
                     ~po::command_line_style::allow_guessing;  // no silent abbreviations
  po::store(po::command_line_parser(args)
                .options(all)
                .positional(positional ? *positional : none)
                .style(style)
                .run(),
            vm);
  if (vm.count("help")) {
    out << "usage: qarch " << command << " " << synopsis << "\n\n" << all << "\n";
    return false;
  }
  po::notify(vm);
  return true;
}

namespace {

std::vector<config::Override> all_settings(const po::variables_map& vm) {
  std::vector<config::Override> overrides;
  if (vm.count("set")) {
    for (const auto& text : vm["set"].as<std::vector<std::string>>()) {
      overrides.push_back(config::Override::parse(text));
    }
  }
  return overrides;
}

}  // namespace

std::vector<config::Override> overrides_from(const po::variables_map& vm) {
  std::vector<config::Override> overrides;
  for (config::Override& o : all_settings(vm))
    if (!workload::workload_setting(o)) overrides.push_back(std::move(o));
  return overrides;
}

workload::Network network_from(const po::variables_map& vm) {
  std::vector<config::Override> overrides;
  for (const config::Override& o : all_settings(vm))
    if (auto setting = workload::workload_setting(o)) overrides.push_back(std::move(*setting));
  return workload::load_network(vm["workload"].as<std::string>(), std::move(overrides));
}

std::string default_models_dir() { return arch::default_models_dir(); }

}  // namespace qarch::cli
