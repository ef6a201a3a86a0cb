// CSV, Markdown and terminal renderings of a NetworkResult.

#include <algorithm>
#include <cmath>
#include <map>
#include <sstream>

#include "report/columns.hpp"
#include "report/number_format.hpp"
#include "report/render.hpp"

namespace qarch::report {
namespace {

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\n\r") == std::string::npos) return text;
  std::string quoted = "\"";
  for (const char c : text) quoted += (c == '"') ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

std::string or_dash(const std::string& text) { return text.empty() ? "-" : text; }

std::string percent(const std::optional<double>& fraction) { return fraction ? percent_of(*fraction, 1) : "-"; }

// A rate in units per second: grouped digits from a thousand on ("63,830 inferences/s").
std::string rate(double value, const std::string& unit) {
  return (std::fabs(value) >= 1000 ? grouped(std::llround(value)) : significant(value)) + " " + unit;
}

// Where the energy went: components by share, largest first ("dram 84.9 %, leakage 6.7 %").
std::string energy_split(const std::map<std::string, double>& breakdown) {
  double total = 0;
  for (const auto& [component, pj] : breakdown) total += pj;
  if (!(total > 0)) return "-";
  std::vector<std::pair<double, std::string>> shares;
  for (const auto& [component, pj] : breakdown) {
    if (pj > 0) shares.emplace_back(pj, component);
  }
  std::stable_sort(shares.begin(), shares.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  std::string text;
  for (const auto& [pj, component] : shares) {
    if (pj / total < 0.001) break;  // below 0.1 %
    text += (text.empty() ? "" : ", ") + component + " " + percent_of(pj / total, 1);
  }
  return text;
}

// (label, value) lines shared by the terminal summary and report.md.
// What stayed on chip: fusion, and whether weights are loaded once or every inference.
std::string fusion_line(const OnChipResult& o) {
  if (!o.fuse_layers) {
    return "off: every layer's output goes to DRAM and back; on it would save " +
           grouped(o.fusion_dram_bytes_possible) + " DRAM bytes (memory.fuse_layers)";
  }
  return "on: " + std::to_string(o.fused_outputs) + " layer outputs stay on chip, " +
         grouped(o.fusion_dram_bytes_saved) + " DRAM bytes saved";
}

std::string weights_line(const NetworkResult& r, const OnChipResult& o) {
  const std::string why =
      o.weights_resident_setting == "auto"
          ? "auto: " + grouped(r.weight_bytes()) + (o.weights_resident ? " <= " : " > ") +
                grouped(o.weight_buffer_bytes) + " usable weight buffer bytes"
          : "memory.weights_resident: " + o.weights_resident_setting;
  if (!o.weights_resident) return "streamed from DRAM every inference (" + why + ")";
  return "resident (" + why + "): loaded once, before the first inference; per-inference DRAM bytes and "
         "energy count no weight reads (" + grouped(o.weight_dram_bytes_saved) + " bytes left out)";
}

// What a decoder run's rows are (docs/llm.md): every block, and one decode step of G.
std::string generation_rows(const GenerationResult& g) {
  if (g.generated_tokens == 0) return "a block row sums them all";
  return "a block row sums them all; the decode rows are the last of the " + std::to_string(g.generated_tokens) +
         " steps, at context " + std::to_string(g.prompt_tokens + g.generated_tokens) + "; the totals cover every step";
}

// " (float32: VALUE)", naming how many samples the reference ran on when fewer than all.
std::string reference_note(const NetworkResult& r, const std::string& value, const std::string& samples) {
  const std::int64_t ran = r.reference_images.value_or(r.images.value_or(0));
  if (ran == 0) return " (float32 reference not run)";
  if (ran == r.images.value_or(0)) return " (float32: " + value + ")";
  return " (float32: " + value + " over the first " + grouped(ran) + " " + samples + ")";
}

std::vector<std::pair<std::string, std::string>> summary_lines(const NetworkResult& r) {
  std::vector<std::pair<std::string, std::string>> lines = {
      {"design point", r.arch_name + " (" + r.arch_file + ")"},
      {"array", std::to_string(r.pe_rows) + "x" + std::to_string(r.pe_cols) + " " + r.dataflow +
                    " at " + significant(r.clock_ghz) + " GHz"},
      {"workload", r.network_name + " (" + r.network_file + "), batch " + std::to_string(r.batch)},
      {"layers", std::to_string(r.layers.size())},
      {"MACs", grouped(r.macs())},
      {"weights", grouped(r.weight_bytes()) + " bytes"},
      {"total cycles", r.total_cycles() ? grouped(*r.total_cycles()) : "- (no timing model yet)"},
      {"stall cycles", r.stall_cycles() ? grouped(*r.stall_cycles()) +
                                              (r.sram_stall_cycles() && *r.sram_stall_cycles() > 0
                                                   ? " (" + grouped(*r.sram_stall_cycles()) + " waiting for buffer ports)"
                                                   : "")
                                        : "-"},
      {"latency", r.latency_s() ? quantity(*r.latency_s(), "s") : "-"},
      {"throughput", r.inferences_per_s() ? rate(*r.inferences_per_s(), "inferences/s") : "-"},
      {"energy", r.energy_per_inference_pj() ? quantity(*r.energy_per_inference_pj() * 1e-12, "J") + " per inference" : "-"},
      {"energy split", energy_split(r.energy_breakdown_pj)},
      {"energy/MAC", r.pj_per_mac() ? quantity(*r.pj_per_mac() * 1e-12, "J") : "-"},
      {"power", r.power_mw() ? quantity(*r.power_mw() * 1e-3, "W") : "-"},
      {"area", r.area_um2 ? quantity(*r.area_um2 * 1e-6, "mm2") : "-"},
      {"TOPS/W", r.tops_per_w() ? significant(*r.tops_per_w()) : "-"},
      {"TOPS", r.tops() ? significant(*r.tops()) + " achieved" : "-"},
      {"peak TOPS", r.peak_tops ? significant(*r.peak_tops) : "-"},
      {"top-1", !r.top1 ? "- (not a functional run)"
                : r.perplexity ? percent_of(*r.top1) + " of the next bytes at " + grouped(r.scored_tokens.value_or(0)) +
                                     " positions of " + grouped(r.images.value_or(0)) + " windows" +
                                     reference_note(r, percent_of(r.reference_top1.value_or(0)), "windows")
                               : percent_of(*r.top1) + " over " + grouped(r.images.value_or(0)) + " images" +
                                     reference_note(r, percent_of(r.reference_top1.value_or(0)), "images")},
  };
  if (r.perplexity) {
    lines.emplace_back("perplexity", significant(*r.perplexity) + " per byte" +
                                         reference_note(r, significant(r.reference_perplexity.value_or(0)), "windows"));
  }
  if (r.on_chip) {
    lines.emplace_back("fusion", fusion_line(*r.on_chip));
    lines.emplace_back("weights", weights_line(r, *r.on_chip));
  }
  if (r.generation) {
    const GenerationResult& g = *r.generation;
    lines.emplace_back("generation", g.phase + ": " + std::to_string(g.prompt_tokens) + " prompt + " +
                                         std::to_string(g.generated_tokens) + " generated tokens, batch " +
                                         std::to_string(g.batch) + ", " + std::to_string(g.blocks) +
                                         " blocks (" + generation_rows(g) + ")");
    lines.emplace_back("TTFT", g.prefill_s ? quantity(*g.prefill_s, "s") : "-");
    lines.emplace_back("TPOT", g.time_per_output_token_s() ? quantity(*g.time_per_output_token_s(), "s") : "-");
    lines.emplace_back("decode rate", g.tokens_per_s() ? rate(*g.tokens_per_s(), "tokens/s") : "-");
    lines.emplace_back("energy/token", g.energy_per_token_pj() ? quantity(*g.energy_per_token_pj() * 1e-12, "J") : "-");
    lines.emplace_back("DRAM/token", g.dram_bytes_per_token() ? grouped(static_cast<std::int64_t>(*g.dram_bytes_per_token())) + " bytes" : "-");
    lines.emplace_back("model weights", grouped(g.model_weight_bytes) + " bytes" + (g.weights_resident ? " (resident)" : " (streamed from DRAM)"));
    lines.emplace_back("KV cache", grouped(g.kv_cache_bytes) + " bytes");
  }
  return lines;
}

}  // namespace

std::string render_csv(const NetworkResult& result) {
  std::ostringstream out;
  const auto& columns = layer_columns();
  for (std::size_t i = 0; i < columns.size(); ++i) out << (i ? "," : "") << columns[i].name;
  out << "\n";
  for (const auto& layer : result.layers) {
    for (std::size_t i = 0; i < columns.size(); ++i) {
      out << (i ? "," : "") << csv_field(format_cell(columns[i].get(layer)));
    }
    out << "\n";
  }
  return out.str();
}

std::string render_markdown(const NetworkResult& result) {
  std::ostringstream out;
  out << "# qarch report: " << result.network_name << " on " << result.arch_name << "\n\n";
  out << "| quantity | value |\n|---|---|\n";
  for (const auto& [label, value] : summary_lines(result)) out << "| " << label << " | " << value << " |\n";
  out << "\n## Layers\n\n";
  if (result.generation && result.generation->generated_tokens > 0) {
    const GenerationResult& g = *result.generation;
    out << "The `decode.` rows are one decode step: the last, attending to " << g.prompt_tokens + g.generated_tokens
        << " tokens (P + G), over all " << g.blocks << " blocks"
        << (g.prompt_tokens > 0 && g.phase == "generate" ? "; the `prefill.` rows are the prefill" : "")
        << ". The totals above cover all " << g.generated_tokens << " decode steps"
        << (g.phase == "generate" ? " and the prefill" : "") << ".\n\n";
  }
  const auto& columns = layer_columns();
  out << "|";
  for (const auto& c : columns) out << " " << c.name << " |";
  out << "\n|";
  for (std::size_t i = 0; i < columns.size(); ++i) out << "---|";
  out << "\n";
  for (const auto& layer : result.layers) {
    out << "|";
    for (const auto& c : columns) out << " " << or_dash(format_cell(c.get(layer))) << " |";
    out << "\n";
  }
  out << "\nAn empty cell (-) is a quantity that no model of this version computes; "
         "docs/reports.md describes every column.\n";
  return out.str();
}

std::string render_table(const NetworkResult& result) {
  // Functional runs add each layer's SQNR against float32 and its saturated values.
  const bool functional = result.top1.has_value();
  std::vector<std::string> header = {"layer", "type", "output", "formats", "MACs",   "weight B", "in B",
                                     "out B", "cycles", "util", "DRAM B", "energy"};
  if (functional) header.insert(header.end(), {"SQNR", "saturated"});
  std::vector<std::vector<std::string>> rows;
  for (const auto& l : result.layers) {
    std::optional<std::int64_t> dram;
    if (l.dram_read_bytes && l.dram_write_bytes) dram = *l.dram_read_bytes + *l.dram_write_bytes;
    // Weight x activation formats of layers with MACs; the vector unit's layers show their input's.
    const std::string formats = l.weight_format.empty() ? l.activation_format : l.weight_format + " x " + l.activation_format;
    rows.push_back({l.name, l.type, l.output_shape, or_dash(formats), grouped(l.macs), grouped(l.weight_bytes),
                    grouped(l.input_bytes), grouped(l.output_bytes),
                    l.total_cycles ? grouped(*l.total_cycles) : "-", percent(l.utilization),
                    dram ? grouped(*dram) : "-", l.energy_pj ? quantity(*l.energy_pj * 1e-12, "J") : "-"});
    if (functional) {
      rows.back().push_back(l.sqnr_db ? fixed(*l.sqnr_db, 1) + " dB" : "exact");
      rows.back().push_back(l.saturated_values ? grouped(*l.saturated_values) : "-");
    }
  }
  std::vector<std::size_t> width(header.size());
  for (std::size_t c = 0; c < header.size(); ++c) {
    width[c] = header[c].size();
    for (const auto& row : rows) width[c] = std::max(width[c], row[c].size());
  }
  std::ostringstream out;
  const auto emit = [&](const std::vector<std::string>& row) {
    for (std::size_t c = 0; c < row.size(); ++c) {
      const std::size_t pad = width[c] - row[c].size();
      if (c < 4) {
        out << row[c] << std::string(pad, ' ');  // text columns left-aligned
      } else {
        out << std::string(pad, ' ') << row[c];
      }
      out << (c + 1 < row.size() ? "  " : "\n");
    }
  };
  emit(header);
  for (const auto& row : rows) emit(row);
  out << "\n";
  for (const auto& [label, value] : summary_lines(result)) {
    out << label << ":" << std::string(14 - std::min<std::size_t>(13, label.size()), ' ') << value << "\n";
  }
  return out.str();
}

}  // namespace qarch::report
