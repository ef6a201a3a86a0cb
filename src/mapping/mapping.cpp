#include "mapping/mapping.hpp"

#include <functional>
#include <optional>

#include "arch/layer_formats.hpp"
#include "mapping/fold_plan.hpp"
#include "mapping/fusion.hpp"
#include "mapping/packing.hpp"

namespace qarch::mapping {

Mapping base_mapping(const arch::ArchSpec& arch, const workload::Layer& layer) {
  Mapping mp;
  mp.layer = layer.name;
  mp.type = layer.type;
  mp.rows = arch.pe_array.rows;
  mp.cols = arch.pe_array.cols;
  mp.dataflow = arch.pe_array.dataflow;
  mp.flow = layer.gemm.groups == 0 ? &vector_unit() : &dataflow(arch.pe_array.dataflow);
  const arch::LayerFormats formats = arch::resolve_formats(arch, layer);
  if (layer.gemm.groups != 0) {
    const arch::PeMode mode = arch::pe_mode(arch.pe_array, formats.weight, formats.activation);
    mp.lanes = mode.lanes;
    mp.step_cycles = mode.step_cycles;
    mp.cols *= mode.lanes;
  }
  mp.weight_bits = formats.weight.bits();
  mp.activation_bits = formats.activation.bits();
  mp.weight_storage = Storage::of(formats.weight);
  mp.activation_storage = Storage::of(formats.activation);
  mp.accumulator_bits = formats.accumulator.bits();
  mp.output_bits = mp.accumulator_bits;
  mp.multiplier = formats.multiplier.to_string();
  if (layer.type == workload::LayerType::Activation) {
    mp.function = layer.function;
    if (layer.function == "softmax") mp.function_row = layer.output.c / std::max<std::int64_t>(1, layer.heads);
    if (layer.function == "layernorm" || layer.function == "rmsnorm") mp.function_row = layer.output.c;
  }
  mp.groups = layer.gemm.groups;
  mp.m = layer.gemm.m;
  mp.k = layer.gemm.k;
  mp.n = layer.gemm.n;
  mp.macs = layer.gemm.macs();
  return mp;
}

Search single_candidate(const arch::ArchSpec& arch, const workload::Layer& layer,
                        const MapperOptions& options, bool keep_all, const Mapping& mp) {
  Search s;
  s.dataflow = arch.pe_array.dataflow;
  s.objective = arch.mapper.objective;
  Candidate c;
  c.weight_fetches = mp.weights.dram_fetches;
  c.input_fetches = mp.inputs.dram_fetches;
  c.estimate = mp.estimate;
  if (keep_all && s.objective != arch::MapperObjective::Cycles && options.price_layer) {
    c.energy_pj = options.price_layer(layer)(mp, mp.estimate.total_cycles);
  }
  s.candidates.push_back(c);
  s.considered = 1;
  return s;
}

namespace {

// The mapper's objective for the plans of one layer under different global-buffer splits, lower
// is better: estimated cycles, or the priced energy (times cycles for edp). The layer's price is
// made once, as MapperOptions::price_layer intends.
std::function<double(const Mapping&)> objective_of(const arch::ArchSpec& arch, const workload::Layer& layer,
                                                   const MapperOptions& options) {
  if (arch.mapper.objective == arch::MapperObjective::Cycles || !options.price_layer)
    return [](const Mapping& mp) { return static_cast<double>(mp.estimate.total_cycles); };
  const bool edp = arch.mapper.objective == arch::MapperObjective::Edp;
  return [price = options.price_layer(layer), edp](const Mapping& mp) {
    const double energy = price(mp, mp.estimate.total_cycles);
    return edp ? energy * static_cast<double>(mp.estimate.total_cycles) : energy;
  };
}

// Each step of the array takes step_cycles clocks: the closed-form compute time and the
// estimate grow with it (the dataflows planned, and the mapper ranked its loop nests, at one
// clock per step).
void stretch_steps(const arch::ArchSpec& view, Mapping& mp) {
  mp.cycles_per_fold *= mp.step_cycles;
  if (mp.folds() > 0) mp.compute_cycles = (mp.compute_cycles + 1) * mp.step_cycles - 1;
  mp.estimate = estimate(view, mp.compute_cycles, dma_profile(view, mp));
}

// The layer planned against `view` (the architecture, or a split of its global buffer).
Mapping plan_with(const arch::ArchSpec& arch, const arch::ArchSpec& view, const workload::Layer& layer,
                  const MapperOptions& options, const BufferSplit& split) {
  Mapping mp = base_mapping(view, layer);
  mp.flow->plan(view, layer, options, false, mp);
  mp.split = split;
  mp.ports = BufferPorts(arch, mp);
  if (mp.step_cycles > 1) stretch_steps(view, mp);
  return mp;
}

}  // namespace

Mapping map_layer(const arch::ArchSpec& arch, const workload::Layer& layer, const MapperOptions& options) {
  const std::vector<BufferSplit> splits = buffer_splits(arch);
  if (splits.empty()) return plan_with(arch, arch, layer, options, BufferSplit{});
  // The best split by the objective; ties go to fewer DRAM bytes, then to the earlier split.
  const auto objective = objective_of(arch, layer, options);
  std::optional<Mapping> best;
  double best_score = 0;
  const auto consider = [&](const BufferSplit& split) {
    Mapping mp = plan_with(arch, tiling_view(arch, split), layer, options, split);
    const double score = objective(mp);
    if (!best || score < best_score ||
        (score == best_score && mp.estimate.dram_bytes < best->estimate.dram_bytes)) {
      best_score = score;
      best = std::move(mp);
    }
  };
  for (const BufferSplit& split : splits) consider(split);
  const std::array<std::int64_t, 3> reuse = {best->weights.reuse_bytes, best->inputs.reuse_bytes,
                                             best->outputs.reuse_bytes};
  const std::int64_t word_bytes = ceil_div(arch.global_buffer.word_bits, 8);
  const std::array<std::int64_t, 3> tiles = {best->weights.tile_words * word_bytes, best->inputs.tile_words * word_bytes,
                                             best->outputs.tile_words * word_bytes};
  for (const BufferSplit& split : residency_splits(arch, reuse, tiles)) consider(split);
  return std::move(*best);
}

std::vector<Mapping> map_network(const arch::ArchSpec& arch, const workload::Network& network,
                                 const MapperOptions& options) {
  std::vector<Mapping> mappings;
  mappings.reserve(network.layers.size());
  for (const workload::Layer& layer : network.layers) mappings.push_back(map_layer(arch, layer, options));
  const std::vector<OnChip> on_chip = plan_on_chip(arch, network, mappings, on_chip_choice(arch, network));
  for (std::size_t i = 0; i < mappings.size(); ++i) keep_on_chip(arch, mappings[i], on_chip[i]);
  return mappings;
}

Search search_layer(const arch::ArchSpec& arch, const workload::Layer& layer, const MapperOptions& options) {
  // With a global buffer: the candidates under the split map_layer chooses.
  const BufferSplit split = arch.has_global_buffer() ? map_layer(arch, layer, options).split : BufferSplit{};
  const arch::ArchSpec view = arch.has_global_buffer() ? tiling_view(arch, split) : arch;
  Mapping mp = base_mapping(view, layer);
  return mp.flow->plan(view, layer, options, true, mp);
}

}  // namespace qarch::mapping
