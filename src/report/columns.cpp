#include "report/columns.hpp"

#include <array>
#include <charconv>
#include <tuple>

namespace qarch::report {
namespace {

template <typename T>
Cell optional_cell(const std::optional<T>& value) {
  if (!value) return std::monostate{};
  return Cell(*value);
}

}  // namespace

const std::vector<Column>& layer_columns() {
  std::vector<Column> columns = {
      {"name", "layer name", [](const LayerResult& r) { return Cell(r.name); }},
      {"type", "layer type", [](const LayerResult& r) { return Cell(r.type); }},
      {"macs", "multiply-accumulates, whole batch", [](const LayerResult& r) { return Cell(r.macs); }},
      {"total_cycles", "compute + stall cycles",
       [](const LayerResult& r) { return optional_cell(r.total_cycles); }},
      {"compute_cycles", "cycles with no memory stall",
       [](const LayerResult& r) { return optional_cell(r.compute_cycles); }},
      {"stall_cycles", "cycles waiting for memory",
       [](const LayerResult& r) { return optional_cell(r.stall_cycles); }},
      {"utilization", "MACs / (total cycles x PEs)",
       [](const LayerResult& r) { return optional_cell(r.utilization); }},
      {"dram_read_bytes", "bytes read from DRAM",
       [](const LayerResult& r) { return optional_cell(r.dram_read_bytes); }},
      {"dram_write_bytes", "bytes written to DRAM",
       [](const LayerResult& r) { return optional_cell(r.dram_write_bytes); }},
      {"energy_pj", "energy in picojoules",
       [](const LayerResult& r) { return optional_cell(r.energy_pj); }},
      {"pj_per_mac", "energy / MACs", [](const LayerResult& r) { return optional_cell(r.pj_per_mac()); }},
      {"input_shape", "input tensor per sample, CxHxW",
       [](const LayerResult& r) { return Cell(r.input_shape); }},
      {"output_shape", "output tensor per sample, CxHxW",
       [](const LayerResult& r) { return Cell(r.output_shape); }},
      {"weight_format", "weight format", [](const LayerResult& r) { return Cell(r.weight_format); }},
      {"activation_format", "activation format",
       [](const LayerResult& r) { return Cell(r.activation_format); }},
      {"accumulator_format", "accumulator format",
       [](const LayerResult& r) { return Cell(r.accumulator_format); }},
      {"multiplier", "multiplier style", [](const LayerResult& r) { return Cell(r.multiplier); }},
      {"mapping_efficiency", "mean over folds of used PEs / all PEs",
       [](const LayerResult& r) { return optional_cell(r.mapping_efficiency); }},
      {"sram_stall_cycles", "stall cycles waiting for buffer ports (part of stall_cycles)",
       [](const LayerResult& r) { return optional_cell(r.sram_stall_cycles); }},
      {"dram_row_hits", "DRAM bursts that found their row open",
       [](const LayerResult& r) { return optional_cell(r.dram_row_hits); }},
      {"dram_row_misses", "DRAM bursts that opened a row",
       [](const LayerResult& r) { return optional_cell(r.dram_row_misses); }},
      {"weight_bytes", "weights at their bit-width (packed)",
       [](const LayerResult& r) { return Cell(r.weight_bytes); }},
      {"input_bytes", "input activations at their bit-width, whole batch",
       [](const LayerResult& r) { return Cell(r.input_bytes); }},
      {"output_bytes", "output activations at their bit-width, whole batch",
       [](const LayerResult& r) { return Cell(r.output_bytes); }},
      {"fused_into", "the layer taking this output on chip (empty: to DRAM)",
       [](const LayerResult& r) { return Cell(r.fused_into); }},
  };
  for (auto [name, description, field] :
       {std::tuple{"zero_weight_operands", "MACs with a zero weight (functional, all images)", &LayerResult::zero_weight_operands},
        std::tuple{"zero_activation_operands", "MACs with a zero activation (functional)", &LayerResult::zero_activation_operands},
        std::tuple{"zero_operand_macs", "MACs with a zero operand (functional)", &LayerResult::zero_operand_macs},
        std::tuple{"zero_gated_macs", "MACs skipped by zero gating (functional)", &LayerResult::zero_gated_macs},
        std::tuple{"saturated_values", "values saturated when quantized (functional)", &LayerResult::saturated_values},
        std::tuple{"overflowed_accumulations", "accumulator overflows (functional)", &LayerResult::overflowed_accumulations}}) {
    columns.push_back({name, description, [field = field](const LayerResult& r) { return optional_cell(r.*field); }});
  }
  columns.push_back({"sqnr_db", "output SQNR against float32 in dB (functional)",
                     [](const LayerResult& r) { return optional_cell(r.sqnr_db); }});
  columns.push_back({"supply_v", "the PE array's supply in volts (pe_array.dvafs)",
                     [](const LayerResult& r) { return optional_cell(r.supply_v); }});
  columns.push_back({"clock_ghz", "the PE array's clock in GHz (pe_array.dvafs)",
                     [](const LayerResult& r) { return optional_cell(r.clock_ghz); }});
  static const std::vector<Column> with_components = [&columns] {
    std::vector<Column> all = columns;
    for (const std::string& component : energy_components()) {
      all.push_back({"energy_" + component + "_pj", "energy of " + component + " in pJ",
                     [component](const LayerResult& r) -> Cell {
                       const auto it = r.energy_breakdown_pj.find(component);
                       if (it == r.energy_breakdown_pj.end()) return std::monostate{};
                       return it->second;
                     }});
    }
    return all;
  }();
  return with_components;
}

const std::vector<std::string>& energy_components() {
  static const std::vector<std::string> components = {
      "mac", "vector", "rf_weight", "rf_input", "rf_output", "array",
      "buffer_weight", "buffer_input", "buffer_output", "dram", "leakage"};
  return components;
}

std::string format_number(double value) {
  std::array<char, 64> buffer{};
  const auto [end, ec] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
  return ec == std::errc{} ? std::string(buffer.data(), end) : std::string("nan");
}

std::string format_cell(const Cell& cell) {
  struct Visitor {
    std::string operator()(std::monostate) const { return {}; }
    std::string operator()(std::int64_t v) const { return std::to_string(v); }
    std::string operator()(double v) const { return format_number(v); }
    std::string operator()(const std::string& v) const { return v; }
  };
  return std::visit(Visitor{}, cell);
}

}  // namespace qarch::report
