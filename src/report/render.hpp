#pragma once
// Formatting a NetworkResult. Pure functions from results to text: golden tests diff them.

#include <string>

#include "report/network_result.hpp"

namespace qarch::report {

std::string render_csv(const NetworkResult& result);       // layers.csv
std::string render_json(const NetworkResult& result);      // summary.json
std::string render_markdown(const NetworkResult& result);  // report.md
std::string render_table(const NetworkResult& result);     // terminal: per-layer table + summary

}  // namespace qarch::report
