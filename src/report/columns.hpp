#pragma once
// The per-layer schema, defined once: layers.csv, the "layers" array of summary.json, report.md
// and the terminal table all take their columns from here (docs/reports.md).

#include <cstdint>
#include <functional>
#include <string>
#include <variant>
#include <vector>

#include "report/network_result.hpp"

namespace qarch::report {

// An empty cell (monostate) is a value no model has computed.
using Cell = std::variant<std::monostate, std::int64_t, double, std::string>;

struct Column {
  std::string name;         // CSV header and JSON key
  std::string description;  // for docs and the Markdown legend
  std::function<Cell(const LayerResult&)> get;
};

// The cost model's energy components, in report order ("mac", "rf_weight", ..., "leakage");
// each has a per-layer column energy_<component>_pj.
const std::vector<std::string>& energy_components();

// In contract order: name,type,macs,total_cycles,compute_cycles,stall_cycles,utilization,
// dram_read_bytes,dram_write_bytes,energy_pj, then further columns.
const std::vector<Column>& layer_columns();

// Shortest text that reads back to the same double ("0.5", "1e-07"); integers as digits.
std::string format_number(double value);
std::string format_cell(const Cell& cell);  // empty cell -> ""

}  // namespace qarch::report
