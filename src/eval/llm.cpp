#include "eval/llm.hpp"

#include <map>
#include <type_traits>
#include <stdexcept>
#include <vector>

#include "arch/network_check.hpp"
#include "config/diagnostic.hpp"
#include "cost/mapper_energy.hpp"
#include "eval/simulated_network.hpp"
#include "mapping/fusion.hpp"
#include "mapping/mapping.hpp"
#include "report/make_result.hpp"
#include "sim/simulate.hpp"

namespace qarch::eval {

namespace {

using workload::DecoderSpec;
using workload::DecoderStep;

// How one simulated layer counts in the report: its row, how many times it runs (blocks x the
// steps it stands for), and whether its row shows it (the prefill; the last decode step).
struct Count {
  std::string row;
  std::int64_t times = 1;
  bool decode = false;
  std::int64_t blocks = 1;  // a block layer: d.layers; the head: 1
  bool shown = true;
  std::string fused_row;  // the row of the layer that takes its output on chip, if any
};

// Everything simulated, side by side: the layers of every step in one network, and their counts.
struct Plan {
  workload::Network network;
  Simulated run;
  std::vector<Count> counts;

  void add(const workload::Layer& layer, mapping::Mapping m, Count c) {
    network.layers.push_back(layer);
    run.mappings.push_back(std::move(m));
    counts.push_back(std::move(c));
  }
};

std::string step_prefix(std::int64_t t) { return t == 0 ? "decode." : "decode" + std::to_string(t) + "."; }

// Adds layer `i` of `step` (names starting with `prefix`) as row `phase.<name>`; `shown`: the
// row shows this layer (else it only counts in the totals).
void add_layer(Plan& plan, const DecoderSpec& d, const DecoderStep& step, const std::vector<mapping::Mapping>& maps,
               std::size_t i, const std::string& prefix, const std::string& phase, std::int64_t steps, bool shown) {
  const workload::Layer& layer = step.network.layers[i];
  const std::int64_t blocks = i < step.block_layers ? d.layers : 1;
  const std::string& fused = maps[i].on_chip.fused_into;  // a layer of the same step
  plan.add(layer, maps[i],
           {phase + layer.name.substr(prefix.size()), blocks * steps, phase == "decode.", blocks, shown,
            fused.empty() ? "" : phase + fused.substr(prefix.size())});
}

// An empty row for `from` (shapes, formats, fusion; its tensors in every block), to accumulate into.
report::LayerResult empty_row(const report::LayerResult& from, const Count& c) {
  report::LayerResult row = from;
  row.name = c.row;
  row.fused_into = c.fused_row;
  row.macs = 0;
  row.total_cycles = row.compute_cycles = row.stall_cycles = row.sram_stall_cycles = std::nullopt;
  row.dram_read_bytes = row.dram_write_bytes = row.dram_row_hits = row.dram_row_misses = std::nullopt;
  row.energy_pj = std::nullopt;
  row.energy_breakdown_pj.clear();
  row.weight_bytes *= c.blocks;  // the tensors of every block, once (not per step)
  row.input_bytes *= c.blocks;
  row.output_bytes *= c.blocks;
  return row;
}

// Adds `times` runs of `from` into `into` (a row of the same layer in another block or step).
void accumulate(report::LayerResult& into, const report::LayerResult& from, std::int64_t times) {
  const auto add = [times](auto& a, const auto& b) {
    using T = typename std::decay_t<decltype(b)>::value_type;
    if (b) a = a.value_or(T{0}) + *b * static_cast<T>(times);
  };
  into.macs += from.macs * times;
  add(into.total_cycles, from.total_cycles);
  add(into.compute_cycles, from.compute_cycles);
  add(into.stall_cycles, from.stall_cycles);
  add(into.sram_stall_cycles, from.sram_stall_cycles);
  add(into.dram_read_bytes, from.dram_read_bytes);
  add(into.dram_write_bytes, from.dram_write_bytes);
  add(into.dram_row_hits, from.dram_row_hits);
  add(into.dram_row_misses, from.dram_row_misses);
  add(into.energy_pj, from.energy_pj);
  for (const auto& [component, pj] : from.energy_breakdown_pj) into.energy_breakdown_pj[component] += pj * static_cast<double>(times);
}

void check_settings(const DecoderSpec& d, const GenerationSettings& s) {
  if (s.prompt_tokens < 1 || s.batch < 1 || (s.phase != Phase::Prefill && s.generate_tokens < 1)) {
    throw std::invalid_argument("a generation needs at least one prompt token, one generated token and one sequence");
  }
  const std::int64_t context = s.prompt_tokens + (s.phase == Phase::Prefill ? 0 : s.generate_tokens);
  if (context > d.max_context) {
    config::Location where;
    where.file = d.source_file;
    throw config::InputError(config::Diagnostic{
        where, "decoder.max_context",
        std::to_string(s.prompt_tokens) + " prompt and " +
            std::to_string(s.phase == Phase::Prefill ? 0 : s.generate_tokens) + " generated tokens need a context of " +
            std::to_string(context) + ", beyond the model's max_context " + std::to_string(d.max_context)});
  }
}

// memory.weights_resident for the whole model: a step network holds one block's weights, so
// `auto` must ask whether all blocks' fit, not the step's.
arch::ArchSpec with_model_residency(arch::ArchSpec arch, const DecoderSpec& d, const workload::Network& step,
                                    std::int64_t model_bytes) {
  const std::int64_t buffer = arch::weight_footprint(arch, step).buffer_bytes;
  switch (arch.memory.weights_resident) {
    case arch::WeightResidency::Auto:
      arch.memory.weights_resident =
          model_bytes <= buffer ? arch::WeightResidency::Resident : arch::WeightResidency::Streamed;
      break;
    case arch::WeightResidency::Resident:
      if (model_bytes > buffer) {
        throw config::InputError(config::Diagnostic{
            arch.memory.weights_resident_location, "memory.weights_resident",
            "the weights of " + d.name + " (" + std::to_string(model_bytes) + " bytes) do not fit the " +
                std::to_string(buffer) + " bytes of the weight buffer; use false or auto"});
      }
      break;
    case arch::WeightResidency::Streamed: break;
  }
  return arch;
}

}  // namespace

std::optional<Phase> parse_phase(std::string_view text) {
  if (text == "prefill") return Phase::Prefill;
  if (text == "decode") return Phase::Decode;
  if (text == "generate") return Phase::Generate;
  return std::nullopt;
}

std::string to_string(Phase phase) {
  switch (phase) {
    case Phase::Prefill: return "prefill";
    case Phase::Decode: return "decode";
    case Phase::Generate: return "generate";
  }
  return "";
}

report::NetworkResult evaluate_generation(const arch::ArchSpec& arch_in, const DecoderSpec& d,
                                          const GenerationSettings& s, const Options& options) {
  check_settings(d, s);
  const std::int64_t P = s.prompt_tokens, G = s.phase == Phase::Prefill ? 0 : s.generate_tokens, B = s.batch;
  const bool prefill = s.phase != Phase::Decode, decode = s.phase != Phase::Prefill;
  const std::int64_t model_bytes = report::packed_bytes(d.model_weights(), arch_in.pe_array.weight_format);
  const DecoderStep first = prefill ? workload::decoder_step(d, P, P, B, "prefill.")
                                    : workload::decoder_step(d, 1, P + 1, B, step_prefix(0));
  const arch::ArchSpec arch = with_model_residency(arch_in, d, first.network, model_bytes);
  arch::check_network(arch, first.network);
  const cost::CostModel model = cost::load_cost_model(options.models_dir, arch);
  const mapping::MapperOptions mapper = cost::mapper_options(model, options.search);

  Plan plan;
  plan.network.name = d.name;
  plan.network.source_file = d.source_file;
  plan.network.input = first.network.input;
  plan.network.batch = B;
  if (prefill) {
    const std::vector<mapping::Mapping> maps = mapping::map_network(arch, first.network, mapper);
    for (std::size_t i = 0; i < maps.size(); ++i) add_layer(plan, d, first, maps, i, "prefill.", "prefill.", 1, true);
  }
  if (decode) {
    // Step 0 (context P + 1) in full; its layers that do not see the cache stand for all G steps.
    // Later steps map only their attention layers, planning what stays on chip among the
    // step's layers as map_network does (the others' plans are step 0's, before fusion).
    const DecoderStep step0 = prefill ? workload::decoder_step(d, 1, P + 1, B, step_prefix(0)) : first;
    std::vector<mapping::Mapping> raw0;
    for (const workload::Layer& layer : step0.network.layers) raw0.push_back(mapping::map_layer(arch, layer, mapper));
    // `only_attention`: the other layers' plans are not used (keep_on_chip walks every fold of
    // a layer, the projections' thousands, so later steps skip it for them).
    const auto fused = [&](const workload::Network& step, std::vector<mapping::Mapping> maps, bool only_attention) {
      const std::vector<mapping::OnChip> on_chip =
          mapping::plan_on_chip(arch, step, maps, mapping::on_chip_choice(arch, step));
      for (std::size_t i = 0; i < maps.size(); ++i) {
        if (only_attention && !workload::depends_on_context(step.layers[i].name)) continue;
        mapping::keep_on_chip(arch, maps[i], on_chip[i]);
      }
      return maps;
    };
    const std::vector<mapping::Mapping> maps0 = fused(step0.network, raw0, false);
    for (std::size_t i = 0; i < maps0.size(); ++i) {
      const bool attention = workload::depends_on_context(step0.network.layers[i].name);
      add_layer(plan, d, step0, maps0, i, step_prefix(0), "decode.", attention ? 1 : G, !attention || G == 1);
    }
    for (std::int64_t t = 1; t < G; ++t) {
      const DecoderStep step = workload::decoder_step(d, 1, P + 1 + t, B, step_prefix(t));
      std::vector<mapping::Mapping> raw = raw0;
      for (std::size_t i = 0; i < raw.size(); ++i) {
        if (workload::depends_on_context(step.network.layers[i].name)) {
          raw[i] = mapping::map_layer(arch, step.network.layers[i], mapper);
        }
      }
      const std::vector<mapping::Mapping> maps = fused(step.network, std::move(raw), true);
      for (std::size_t i = 0; i < maps.size(); ++i) {
        if (workload::depends_on_context(step.network.layers[i].name)) {
          add_layer(plan, d, step, maps, i, step_prefix(t), "decode.", 1, t == G - 1);
        }
      }
    }
  }
  plan.run.stats = sim::simulate(arch, plan.run.mappings, sim::Engine::Fast);
  report::NetworkResult all = report::make_result(arch, plan.network);
  add_simulation_and_cost(all, plan.network, plan.run, model, nullptr);

  // One row per layer of a step, over every block: the prefill, and one decode step (the last,
  // at context P + G: its attention layers, and the layers that are the same at every step).
  // `whole` sums the same rows over every step: the run's totals.
  report::NetworkResult result = all, whole = all;
  result.layers.clear();
  whole.layers.clear();
  result.energy_breakdown_pj.clear();
  std::map<std::string, std::size_t> row_index;
  report::GenerationResult g;
  double energy = 0;
  std::int64_t cycles[2] = {0, 0}, dram[2] = {0, 0};
  double phase_energy[2] = {0, 0};
  for (std::size_t i = 0; i < all.layers.size(); ++i) {
    const report::LayerResult& from = all.layers[i];
    const Count& c = plan.counts[i];
    auto [it, is_new] = row_index.emplace(c.row, whole.layers.size());
    if (is_new) {
      whole.layers.push_back(empty_row(from, c));  // shapes and tensor bytes of the first step
      result.layers.emplace_back();
    }
    accumulate(whole.layers[it->second], from, c.times);
    if (c.shown) {
      result.layers[it->second] = empty_row(from, c);
      accumulate(result.layers[it->second], from, c.blocks);
    }
    const int k = c.decode ? 1 : 0;
    cycles[k] += from.total_cycles.value_or(0) * c.times;
    dram[k] += (from.dram_read_bytes.value_or(0) + from.dram_write_bytes.value_or(0)) * c.times;
    phase_energy[k] += from.energy_pj.value_or(0) * static_cast<double>(c.times);
  }
  const double pes = static_cast<double>(arch.pe_array.rows) * arch.pe_array.cols;
  for (report::LayerResult& row : result.layers) {
    if (row.total_cycles && *row.total_cycles > 0) {
      row.utilization = static_cast<double>(row.macs) / (static_cast<double>(*row.total_cycles) * pes);
    }
  }
  for (const report::LayerResult& row : whole.layers) {
    energy += row.energy_pj.value_or(0);
    for (const auto& [component, pj] : row.energy_breakdown_pj) result.energy_breakdown_pj[component] += pj;
  }
  result.energy_pj = energy;
  if (decode) {  // the rows are one decode step of G
    result.run_totals =
        report::NetworkResult::RunTotals{whole.macs(), whole.total_cycles(), whole.stall_cycles(), whole.sram_stall_cycles()};
  }
  result.batch = B;
  if (result.on_chip) result.on_chip->weights_resident_setting = std::string(arch::to_string(arch_in.memory.weights_resident));

  const double hz = arch.clock_ghz * 1e9;
  g.phase = to_string(s.phase);
  g.prompt_tokens = P;
  g.generated_tokens = G;
  g.batch = B;
  g.blocks = d.layers;
  g.model_weight_bytes = model_bytes;
  const numerics::Format kv_format = d.kv_cache.weight_format.value_or(arch.pe_array.weight_format);
  g.kv_cache_bytes = report::packed_bytes(2 * d.layers * d.kv_heads * d.head_dim * (P + G) * B, kv_format);
  g.weights_resident = arch.memory.weights_resident == arch::WeightResidency::Resident;
  if (prefill) {
    g.prefill_s = static_cast<double>(cycles[0]) / hz;
    g.prefill_energy_pj = phase_energy[0];
  }
  if (decode) {
    g.decode_s = static_cast<double>(cycles[1]) / hz;
    g.decode_energy_pj = phase_energy[1];
    g.decode_dram_bytes = dram[1];
  }
  result.generation = g;
  return result;
}

}  // namespace qarch::eval
