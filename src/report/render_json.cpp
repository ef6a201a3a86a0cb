#include <nlohmann/json.hpp>

#include "report/columns.hpp"
#include "report/render.hpp"
#include "report/version.hpp"

namespace qarch::report {
namespace {

using Json = nlohmann::ordered_json;

Json to_json(const Cell& cell) {
  struct Visitor {
    Json operator()(std::monostate) const { return nullptr; }
    Json operator()(std::int64_t v) const { return v; }
    Json operator()(double v) const { return v; }
    Json operator()(const std::string& v) const { return v; }
  };
  return std::visit(Visitor{}, cell);
}

template <typename T>
Json optional_json(const std::optional<T>& value) {
  return value ? Json(*value) : Json(nullptr);
}

}  // namespace

std::string render_json(const NetworkResult& r) {
  Json summary;
  summary["schema_version"] = kSchemaVersion;
  summary["qarch_version"] = kVersion;
  summary["arch"] = Json{{"name", r.arch_name},     {"file", r.arch_file},
                         {"clock_ghz", r.clock_ghz}, {"pe_rows", r.pe_rows},
                         {"pe_cols", r.pe_cols},     {"dataflow", r.dataflow}};
  summary["workload"] = Json{{"name", r.network_name}, {"file", r.network_file}, {"batch", r.batch}};
  summary["macs"] = r.macs();
  summary["weight_bytes"] = r.weight_bytes();
  summary["total_cycles"] = optional_json(r.total_cycles());
  summary["stall_cycles"] = optional_json(r.stall_cycles());
  summary["sram_stall_cycles"] = optional_json(r.sram_stall_cycles());
  summary["latency_s"] = optional_json(r.latency_s());
  summary["inferences_per_s"] = optional_json(r.inferences_per_s());
  summary["energy_pj"] = optional_json(r.energy_pj);
  Json breakdown = Json::object();
  for (const auto& [component, pj] : r.energy_breakdown_pj) breakdown[component] = pj;
  summary["energy_breakdown_pj"] = breakdown;
  summary["energy_per_inference_pj"] = optional_json(r.energy_per_inference_pj());
  summary["pj_per_mac"] = optional_json(r.pj_per_mac());
  summary["power_mw"] = optional_json(r.power_mw());
  summary["cost_style"] = r.cost_style.empty() ? Json(nullptr) : Json(r.cost_style);
  summary["area_um2"] = optional_json(r.area_um2);
  Json area = Json::object();
  for (const auto& [component, um2] : r.area_breakdown_um2) area[component] = um2;
  summary["area_breakdown_um2"] = area;
  summary["tops"] = optional_json(r.tops());
  summary["peak_tops"] = optional_json(r.peak_tops);
  summary["tops_per_w"] = optional_json(r.tops_per_w());
  summary["tops_per_mm2"] = optional_json(r.tops_per_mm2);
  if (r.on_chip) {  // what stayed on chip instead of going through DRAM
    const OnChipResult& o = *r.on_chip;
    summary["fuse_layers"] = o.fuse_layers;
    summary["fused_layers"] = o.fused_outputs;
    summary["fusion_dram_bytes_saved"] = o.fusion_dram_bytes_saved;
    summary["fusion_dram_bytes_possible"] = o.fusion_dram_bytes_possible;
    summary["weights_resident"] = o.weights_resident;
    summary["weights_resident_setting"] = o.weights_resident_setting;
    summary["weight_buffer_bytes"] = o.weight_buffer_bytes;
    summary["weight_dram_bytes_saved"] = o.weight_dram_bytes_saved;
  }
  if (r.top1) {  // functional runs only
    summary["top1"] = *r.top1;
    summary["images"] = optional_json(r.images);
    summary["reference_top1"] = optional_json(r.reference_top1);
    if (r.reference_images != r.images) summary["reference_images"] = optional_json(r.reference_images);
  }
  if (r.perplexity) {  // functional runs of a language model
    summary["scored_tokens"] = optional_json(r.scored_tokens);
    summary["perplexity"] = *r.perplexity;
    summary["reference_perplexity"] = optional_json(r.reference_perplexity);
  }
  if (r.generation) {  // decoder runs with --phase (docs/llm.md)
    const GenerationResult& g = *r.generation;
    summary["phase"] = g.phase;
    summary["prompt_tokens"] = g.prompt_tokens;
    summary["generated_tokens"] = g.generated_tokens;
    summary["blocks"] = g.blocks;
    summary["model_weight_bytes"] = g.model_weight_bytes;
    summary["kv_cache_bytes"] = g.kv_cache_bytes;
    summary["ttft_s"] = optional_json(g.prefill_s);
    summary["prefill_energy_pj"] = optional_json(g.prefill_energy_pj);
    summary["decode_s"] = optional_json(g.decode_s);
    summary["decode_energy_pj"] = optional_json(g.decode_energy_pj);
    summary["tpot_s"] = optional_json(g.time_per_output_token_s());
    summary["tokens_per_s"] = optional_json(g.tokens_per_s());
    summary["energy_per_token_pj"] = optional_json(g.energy_per_token_pj());
    summary["dram_bytes_per_token"] = optional_json(g.dram_bytes_per_token());
  }
  Json layers = Json::array();
  for (const auto& layer : r.layers) {
    Json row;
    for (const auto& column : layer_columns()) row[column.name] = to_json(column.get(layer));
    layers.push_back(std::move(row));
  }
  summary["layers"] = std::move(layers);
  // Names come from the user's files: bytes that are not UTF-8 become U+FFFD, not an exception.
  return summary.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

}  // namespace qarch::report
