#include "mapping/mapping.hpp"

#include "arch/layer_formats.hpp"
#include "mapping/fusion.hpp"

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
  mp.weight_bits = formats.weight.bits();
  mp.activation_bits = formats.activation.bits();
  mp.accumulator_bits = formats.accumulator.bits();
  mp.output_bits = mp.accumulator_bits;
  mp.multiplier = formats.multiplier.to_string();
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

Mapping map_layer(const arch::ArchSpec& arch, const workload::Layer& layer, const MapperOptions& options) {
  Mapping mp = base_mapping(arch, layer);
  mp.flow->plan(arch, layer, options, false, mp);
  return mp;
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
  Mapping mp = base_mapping(arch, layer);
  return mp.flow->plan(arch, layer, options, true, mp);
}

}  // namespace qarch::mapping
