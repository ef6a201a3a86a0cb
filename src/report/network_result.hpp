#pragma once
// What one run found, per layer and per network: plain data filled by the layers below
// (workload sizes, simulation timing, cost) and only formatted by report/. A field that no model
// has computed yet stays empty and is written as an empty CSV cell / JSON null, never invented.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace qarch::report {

struct LayerResult {
  std::string name;
  std::string type;
  std::string input_shape;   // per sample, "CxHxW"
  std::string output_shape;
  std::string weight_format;
  std::string activation_format;
  std::string accumulator_format;
  std::string multiplier;
  std::int64_t macs = 0;
  // Tensor sizes at the configured bit-widths (sub-byte values packed), whole batch.
  std::int64_t weight_bytes = 0;
  std::int64_t input_bytes = 0;
  std::int64_t output_bytes = 0;

  // Timing (from the simulation).
  std::optional<std::int64_t> total_cycles;
  std::optional<std::int64_t> compute_cycles;
  std::optional<std::int64_t> stall_cycles;
  std::optional<std::int64_t> sram_stall_cycles;  // part of stall_cycles: waiting for buffer ports
  std::optional<double> utilization;  // MACs / (total cycles x PEs)
  std::optional<std::int64_t> dram_read_bytes;
  std::optional<std::int64_t> dram_write_bytes;
  std::optional<double> mapping_efficiency;  // mean over folds of used PEs / all PEs
  std::optional<std::int64_t> dram_row_hits;
  std::optional<std::int64_t> dram_row_misses;

  // Cost (from the energy model).
  std::optional<double> energy_pj;
  std::map<std::string, double> energy_breakdown_pj;  // per component

  // Value statistics of a functional run, totals over all images evaluated.
  std::optional<std::int64_t> zero_weight_operands;
  std::optional<std::int64_t> zero_activation_operands;
  std::optional<std::int64_t> zero_operand_macs;
  std::optional<std::int64_t> zero_gated_macs;
  std::optional<std::int64_t> saturated_values;
  std::optional<std::int64_t> overflowed_accumulations;
  std::optional<double> sqnr_db;  // against float32; empty when not finite
  // pe_array.dvafs: the PE array's supply and clock in this layer (cost/voltage_scaling.hpp).
  std::optional<double> supply_v, clock_ghz;

  // The layer that takes this layer's output on chip (fusion or hand-off); empty when the
  // output goes to DRAM.
  std::string fused_into;

  std::optional<double> pj_per_mac() const;
};

// What stayed on chip instead of going through DRAM (memory.fuse_layers,
// memory.weights_resident; mapping/fusion.hpp), whole batch.
struct OnChipResult {
  bool fuse_layers = false;
  std::int64_t fused_outputs = 0;               // layers whose output stayed on chip
  std::int64_t fusion_dram_bytes_saved = 0;     // DRAM bytes fusion removed (0 when off)
  std::int64_t fusion_dram_bytes_possible = 0;  // what it removes, or would remove when off
  bool weights_resident = false;                // weights loaded once, not per inference
  std::string weights_resident_setting;         // "auto", "true" or "false"
  std::int64_t weight_buffer_bytes = 0;         // usable, what the weights are checked against
  std::int64_t weight_dram_bytes_saved = 0;     // weight loads left out per batch
};

// A decoder's generation (qarch run --phase, eval/llm.hpp): the phases' totals and the figures
// LLM serving is judged by. Rows of NetworkResult::layers then sum a layer over every block:
// "prefill.q" the prefill, "decode.q" one decode step, the last (context P + G); the
// network totals cover the whole run (NetworkResult::run_totals).
struct GenerationResult {
  std::string phase;               // "prefill", "decode" or "generate"
  std::int64_t prompt_tokens = 0;  // P
  std::int64_t generated_tokens = 0;  // G: decode steps (0 for prefill)
  std::int64_t batch = 1;          // sequences decoded together
  std::int64_t blocks = 0;         // decoder blocks; a block row sums them all
  std::int64_t model_weight_bytes = 0;  // every weight at its format (LM head included)
  std::int64_t kv_cache_bytes = 0;      // K and V of every block for P + G tokens, whole batch
  bool weights_resident = false;

  std::optional<double> prefill_s;           // time to first token: the prefill's latency
  std::optional<double> prefill_energy_pj;
  std::optional<double> decode_s;            // all G decode steps
  std::optional<double> decode_energy_pj;
  std::optional<std::int64_t> decode_dram_bytes;

  std::optional<double> time_per_output_token_s() const;  // decode_s / G
  std::optional<double> tokens_per_s() const;              // batch * G / decode_s
  std::optional<double> energy_per_token_pj() const;       // decode energy / (batch * G)
  std::optional<double> dram_bytes_per_token() const;      // decode DRAM bytes / (batch * G)
};

struct NetworkResult {
  std::string arch_name;
  std::string arch_file;
  std::string network_name;
  std::string network_file;
  double clock_ghz = 0;
  int pe_rows = 0;
  int pe_cols = 0;
  std::string dataflow;
  std::int64_t batch = 1;
  std::vector<LayerResult> layers;

  // Network totals that only a model can give; empty until it exists.
  std::optional<double> energy_pj;
  std::map<std::string, double> energy_breakdown_pj;  // per component
  std::optional<double> area_um2;
  std::map<std::string, double> area_breakdown_um2;  // per component
  std::optional<double> peak_tops;                   // 2 ops per PE per cycle
  std::optional<double> tops_per_mm2;                // peak TOPS / area
  std::string cost_style;                            // "absolute" or "eyeriss_normalized"
  std::optional<OnChipResult> on_chip;               // when a mapping made the run

  // Functional runs: top-1 accuracy over `images` test images, and that of float32 arithmetic
  // over the first `reference_images` of them (unset when none ran the reference).
  std::optional<double> top1;
  std::optional<std::int64_t> images;
  std::optional<double> reference_top1;
  std::optional<std::int64_t> reference_images;
  // Language models (a workload with a `text` corpus): top-1 is the next token's, over
  // `scored_tokens` positions of `images` windows; perplexity of the next byte, and float32's.
  std::optional<std::int64_t> scored_tokens;
  std::optional<double> perplexity;
  std::optional<double> reference_perplexity;

  std::optional<GenerationResult> generation;  // a decoder's prefill/decode run
  // The run's totals when the rows do not add up to the run (a decoder's decode rows are one
  // step of G): macs(), total_cycles(), stall_cycles() and sram_stall_cycles() return these;
  // weight_bytes() always sums the rows. energy_pj is set by whoever fills the result.
  struct RunTotals {
    std::int64_t macs = 0;
    std::optional<std::int64_t> total_cycles, stall_cycles, sram_stall_cycles;
  };
  std::optional<RunTotals> run_totals;

  std::int64_t macs() const;
  std::int64_t weight_bytes() const;
  std::optional<std::int64_t> total_cycles() const;  // sum over layers, if all are known (or run_totals)
  std::optional<std::int64_t> stall_cycles() const;
  std::optional<std::int64_t> sram_stall_cycles() const;
  std::optional<double> latency_s() const;           // total cycles / clock
  std::optional<double> inferences_per_s() const;    // batch / latency
  std::optional<double> tops() const;                // achieved: 2 ops per MAC / latency
  std::optional<double> tops_per_w() const;          // 2 ops per MAC / energy
  std::optional<double> pj_per_mac() const;          // energy / MACs
  std::optional<double> energy_per_inference_pj() const;  // energy / batch
  std::optional<double> power_mw() const;            // energy / latency
};

}  // namespace qarch::report
