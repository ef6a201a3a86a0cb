#include "mapping/mapping.hpp"

#include <algorithm>

#include "arch/layer_formats.hpp"
#include "mapping/packing.hpp"
#include "mapping/systolic_tiling.hpp"

namespace qarch::mapping {

using arch::Dataflow;
using workload::LayerType;

std::string_view to_string(Unit unit) {
  switch (unit) {
    case Unit::Systolic: return "systolic array";
    case Unit::RowStationary: return "row-stationary PE sets";
    case Unit::Vector: return "vector unit";
  }
  return "?";
}

namespace {

struct GroupTensors {  // elements of one group's operands
  std::int64_t weights = 0, inputs = 0, outputs = 0;
};

GroupTensors group_tensors(const workload::Layer& layer) {
  const workload::Gemm& g = layer.gemm;
  GroupTensors t;
  // Activation-by-activation matmul: the second operand plays the weights' part.
  t.weights = layer.has_weights() ? layer.weight_elements() / g.groups : g.k * g.n;
  // A conv reads its ifmap, not the larger im2col matrix.
  t.inputs = layer.type == LayerType::Conv2d ? layer.batch * layer.input.elements() / g.groups
                                             : g.m * g.k;
  t.outputs = g.m * g.n;
  return t;
}

void add_scaled(FoldAccesses& sum, const FoldAccesses& a, std::int64_t times) {
  sum.input_reads += a.input_reads * times;
  sum.weight_reads += a.weight_reads * times;
  sum.output_writes += a.output_writes * times;
  sum.psum_reads += a.psum_reads * times;
  sum.macs += a.macs * times;
}

// Systolic: the product of one group on the array, as the mapper sees it.
SystolicProblem problem_of(const arch::ArchSpec& arch, const Mapping& mp, const GroupTensors& e) {
  SystolicProblem p;
  p.dataflow = mp.dataflow;
  p.rows = mp.rows;
  p.cols = mp.cols;
  p.shape = systolic_shape(mp.dataflow, mp.m, mp.k, mp.n);
  p.grid = fold_grid(p.shape, mp.rows, mp.cols);
  p.groups = mp.groups;
  const auto w = static_cast<int>(Operand::Weight), i = static_cast<int>(Operand::Input),
             o = static_cast<int>(Operand::Output);
  p.value_bits[w] = p.dram_bits[w] = mp.weight_bits;
  p.value_bits[i] = p.dram_bits[i] = p.dram_bits[o] = mp.activation_bits;
  p.value_bits[o] = mp.accumulator_bits;
  p.elements[w] = e.weights;
  p.elements[i] = e.inputs;
  p.elements[o] = e.outputs;
  p.buffers[w] = arch.weight_buffer;
  p.buffers[i] = arch.input_buffer;
  p.buffers[o] = arch.output_buffer;
  p.psum_bytes = dram_bytes_for(mp.m * mp.n, mp.accumulator_bits);
  return p;
}

void apply_systolic(const arch::ArchSpec& arch, const SystolicProblem& p, const LoopNest& nest,
                    Mapping& mp) {
  mp.unit = Unit::Systolic;
  mp.shape = p.shape;
  mp.grid = p.grid;
  mp.nest = nest;
  const SystolicTiling tiling = tile_systolic(p, nest);
  mp.folds_per_group = tiling.folds_per_group;
  mp.cycles_per_fold = tiling.cycles_per_fold;
  mp.weights = tiling.tiles[static_cast<int>(Operand::Weight)];
  mp.inputs = tiling.tiles[static_cast<int>(Operand::Input)];
  mp.outputs = tiling.tiles[static_cast<int>(Operand::Output)];
  mp.psum_spill = tiling.psum_spill;
  const std::string stream = loop_name(mp.dataflow, Loop::Tile);
  mp.loop_order = "group > " + to_string(nest, mp.dataflow) + " > stream(" +
                  stream.substr(0, stream.size() - 5) + ")";
  const SystolicFigures f = systolic_figures(mp.dataflow, mp.rows, mp.cols, mp.m, mp.k, mp.n);
  mp.mapping_efficiency = f.mapping_efficiency;  // every (row, col) fold repeats once per tile
  FoldAccesses a = f.accesses;  // the stream splits over tiles; the stationary tile reloads
  if (mp.dataflow == Dataflow::WeightStationary) a.weight_reads *= nest.tiles;
  if (mp.dataflow == Dataflow::InputStationary) a.input_reads *= nest.tiles;
  add_scaled(mp.accesses, a, mp.groups);
  mp.compute_cycles = tiling.compute_cycles;
  mp.dram_read_bytes = tiling.dma.read_bytes;
  mp.dram_write_bytes = tiling.dma.write_bytes;
  mp.estimate = estimate(arch, mp.compute_cycles, tiling.dma);
}

void map_row_stationary(const arch::ArchSpec& arch, const workload::Layer& layer,
                        const GroupTensors& e, Mapping& mp) {
  mp.unit = Unit::RowStationary;
  RowStationaryProblem& p = mp.rs_problem;
  if (layer.type == LayerType::Conv2d) {
    p = {layer.batch, layer.input.c / mp.groups, layer.filters / mp.groups, layer.kernel_h,
         layer.kernel_w, layer.output.h, layer.output.w, layer.stride_h, layer.stride_w};
  } else {  // a product is a 1x1 convolution over a 1 x m "image"
    p = {1, mp.k, mp.n, 1, 1, 1, mp.m, 1, 1};
  }
  mp.rs = plan_row_stationary(p, mp.rows, mp.cols);
  mp.folds_per_group = mp.rs.passes;
  mp.cycles_per_fold = mp.rs.cycles_per_pass;
  mp.loop_order = "group > filter_row_fold > output_row_fold > item_round(batch, filter) > channel";
  const int wb = mp.weight_bits, ab = mp.activation_bits, cb = mp.accumulator_bits;
  const std::int64_t pass_weights = mp.rs.sets * p.channels * mp.rs.set_h * p.filter_w;
  mp.weights = make_tile(arch.weight_buffer, wb, pass_weights, e.weights, wb, e.weights);
  mp.weights.dram_fetches = mp.weights.resident ? 1 : mp.rs.e_folds;
  const std::int64_t pass_inputs =
      p.channels * ((mp.rs.set_w - 1) * p.stride_h + mp.rs.set_h) * mp.rs.ifmap_row_values;
  mp.inputs = make_tile(arch.input_buffer, ab, pass_inputs, e.inputs, ab, e.inputs);
  mp.inputs.dram_fetches = mp.inputs.resident ? 1 : mp.rs.r_folds * mp.rs.item_rounds;
  const std::int64_t pass_outputs = mp.rs.sets * mp.rs.set_w * p.out_w;
  mp.outputs = make_tile(arch.output_buffer, cb, pass_outputs, pass_outputs, ab, e.outputs);
  double used_pes = 0;
  FoldAccesses group;
  for (std::int64_t i = 0; i < mp.rs.passes; ++i) {
    const RowStationaryPass pass = rs_pass_at(p, mp.rs, i);
    const RowStationaryAccesses a = rs_pass_accesses(p, mp.rs, pass);
    add_scaled(group, {a.input_reads, a.weight_reads, a.output_writes, a.psum_reads, a.macs}, 1);
    used_pes += static_cast<double>(pass.items * pass.used_h * pass.used_w);
  }
  add_scaled(mp.accesses, group, mp.groups);
  mp.mapping_efficiency =
      used_pes / (static_cast<double>(mp.rs.passes) * mp.rows * mp.cols);
}

std::int64_t vector_ops(const workload::Layer& layer) {
  switch (layer.type) {
    case LayerType::MaxPool:
    case LayerType::AvgPool:  // every output reads its whole window
      return layer.output_elements() * layer.kernel_h * layer.kernel_w;
    case LayerType::Activation:  // softmax and layernorm: a reduction pass, then normalization
      return layer.input_elements() *
             ((layer.function == "softmax" || layer.function == "layernorm") ? 2 : 1);
    default: return layer.input_elements();
  }
}

void map_vector(const arch::ArchSpec& arch, const workload::Layer& layer, Mapping& mp) {
  mp.unit = Unit::Vector;
  mp.groups = 1;
  VectorPlan& v = mp.vector;
  v.lanes = mp.cols;
  v.ops = vector_ops(layer);
  v.input_elements = layer.input_elements();
  v.output_elements = layer.output_elements();
  const int ab = mp.activation_bits;
  const auto& ibuf = arch.input_buffer;
  const std::int64_t words = usable_bytes(ibuf) * 8 / std::max(1, ibuf.word_bits);
  v.chunk_elements = std::max<std::int64_t>(v.lanes, words * values_per_word(ab, ibuf.word_bits));
  mp.folds_per_group = ceil_div(v.input_elements, v.chunk_elements);
  mp.loop_order = "chunk of the input buffer > lanes";
  mp.inputs = make_tile(ibuf, ab, std::min(v.chunk_elements, v.input_elements), v.input_elements,
                        ab, v.input_elements);
  const std::int64_t chunk_outputs =
      share_of(v.output_elements, 0, std::min(v.chunk_elements, v.input_elements), v.input_elements);
  mp.outputs = make_tile(arch.output_buffer, ab, chunk_outputs, chunk_outputs, ab, v.output_elements);
  mp.weights = make_tile(arch.weight_buffer, mp.weight_bits, 0, 0, mp.weight_bits, 0);
  mp.accesses.input_reads = v.ops;
  mp.accesses.output_writes = v.output_elements;
}

std::int64_t vector_cycles(const Mapping& mp) {
  std::int64_t cycles = 0;
  for (std::int64_t i = 0; i < mp.folds_per_group; ++i) {
    const std::int64_t e0 = i * mp.vector.chunk_elements;
    const std::int64_t e1 = std::min(mp.vector.input_elements, e0 + mp.vector.chunk_elements);
    cycles += ceil_div(share_of(mp.vector.ops, e0, e1, mp.vector.input_elements), mp.vector.lanes);
  }
  return cycles;
}

// rs and vector layers: every fold loads and stores its share (fold_plan.cpp).
Estimate spread_estimate(const arch::ArchSpec& arch, const Mapping& mp) {
  DmaProfile d;
  const std::int64_t folds = std::max<std::int64_t>(1, mp.folds());
  d.read_bytes = mp.dram_read_bytes;
  d.write_bytes = mp.dram_write_bytes;
  d.load_jobs = d.read_bytes > 0 ? mp.folds() : 0;
  d.store_jobs = d.write_bytes > 0 ? mp.folds() : 0;
  d.first_load_bytes = ceil_div(d.read_bytes, folds);
  d.last_store_bytes = ceil_div(d.write_bytes, folds);
  d.loads_overlap = arch.input_buffer.double_buffered &&
                    (mp.unit == Unit::Vector || arch.weight_buffer.double_buffered);
  d.stores_overlap = arch.output_buffer.double_buffered;
  return estimate(arch, mp.compute_cycles, d);
}

Mapping base_mapping(const arch::ArchSpec& arch, const workload::Layer& layer) {
  Mapping mp;
  mp.layer = layer.name;
  mp.type = layer.type;
  mp.rows = arch.pe_array.rows;
  mp.cols = arch.pe_array.cols;
  mp.dataflow = arch.pe_array.dataflow;
  const arch::LayerFormats formats = arch::resolve_formats(arch, layer);
  mp.weight_bits = formats.weight.bits();
  mp.activation_bits = formats.activation.bits();
  mp.accumulator_bits = formats.accumulator.bits();
  mp.multiplier = formats.multiplier.to_string();
  mp.groups = layer.gemm.groups;
  mp.m = layer.gemm.m;
  mp.k = layer.gemm.k;
  mp.n = layer.gemm.n;
  mp.macs = layer.gemm.macs();
  return mp;
}

bool is_systolic(const arch::ArchSpec& arch, const workload::Layer& layer) {
  return layer.gemm.groups > 0 && arch.pe_array.dataflow != Dataflow::RowStationary;
}

// Layers the mapper has no choice for: the vector unit and rs.
Mapping map_fixed(const arch::ArchSpec& arch, const workload::Layer& layer) {
  Mapping mp = base_mapping(arch, layer);
  if (layer.gemm.groups == 0) {
    map_vector(arch, layer, mp);
    const std::int64_t cycles = vector_cycles(mp);
    mp.compute_cycles = std::max<std::int64_t>(0, cycles - 1);
    mp.mapping_efficiency =
        cycles > 0 ? static_cast<double>(mp.vector.ops) / (static_cast<double>(cycles) * mp.cols) : 0;
    mp.dram_read_bytes = mp.inputs.dram_bytes;
    mp.dram_write_bytes = mp.outputs.dram_bytes;
  } else {
    map_row_stationary(arch, layer, group_tensors(layer), mp);
    mp.compute_cycles = std::max<std::int64_t>(0, mp.folds() * mp.cycles_per_fold - 1);
    mp.dram_read_bytes = mp.groups * (mp.weights.dram_bytes * mp.weights.dram_fetches +
                                      mp.inputs.dram_bytes * mp.inputs.dram_fetches);
    mp.dram_write_bytes = mp.groups * mp.outputs.dram_bytes;
  }
  mp.estimate = spread_estimate(arch, mp);
  return mp;
}

Candidate fixed_candidate(const Mapping& mp) {
  Candidate c;
  c.weight_fetches = mp.weights.dram_fetches;
  c.input_fetches = mp.inputs.dram_fetches;
  c.estimate = mp.estimate;
  return c;
}

// A candidate's energy for objectives energy and edp: the layer mapped with the candidate's nest,
// priced by the caller (MapperOptions::price_layer). Empty for the cycles objective, or when the
// caller gave no price (search_systolic then says what is missing).
EnergyOfCandidate energy_of(const arch::ArchSpec& arch, const workload::Layer& layer,
                            const SystolicProblem& problem, const Mapping& base, const MapperOptions& options) {
  if (arch.mapper.objective == arch::MapperObjective::Cycles || !options.price_layer) return {};
  return [&arch, &problem, &base, price = options.price_layer(layer)](const Candidate& c) {
    Mapping mp = base;
    apply_systolic(arch, problem, c.nest, mp);
    return price(mp, c.estimate.total_cycles);
  };
}

}  // namespace

SystolicProblem systolic_problem(const arch::ArchSpec& arch, const workload::Layer& layer) {
  return problem_of(arch, base_mapping(arch, layer), group_tensors(layer));
}

Mapping map_layer_with(const arch::ArchSpec& arch, const workload::Layer& layer, const LoopNest& nest) {
  if (!is_systolic(arch, layer)) return map_fixed(arch, layer);
  Mapping mp = base_mapping(arch, layer);
  apply_systolic(arch, problem_of(arch, mp, group_tensors(layer)), nest, mp);
  return mp;
}

Mapping map_layer(const arch::ArchSpec& arch, const workload::Layer& layer, const MapperOptions& options) {
  if (!is_systolic(arch, layer)) return map_fixed(arch, layer);
  Mapping mp = base_mapping(arch, layer);
  const SystolicProblem problem = problem_of(arch, mp, group_tensors(layer));
  const Search search =
      search_systolic(arch, problem, options, false, energy_of(arch, layer, problem, mp, options));
  apply_systolic(arch, problem, search.candidates[search.chosen].nest, mp);
  mp.candidates = static_cast<std::int64_t>(search.considered);
  return mp;
}

std::vector<Mapping> map_network(const arch::ArchSpec& arch, const workload::Network& network,
                                 const MapperOptions& options) {
  std::vector<Mapping> mappings;
  mappings.reserve(network.layers.size());
  for (const workload::Layer& layer : network.layers) mappings.push_back(map_layer(arch, layer, options));
  return mappings;
}

Search search_layer(const arch::ArchSpec& arch, const workload::Layer& layer, const MapperOptions& options) {
  if (is_systolic(arch, layer)) {
    const Mapping base = base_mapping(arch, layer);
    const SystolicProblem problem = problem_of(arch, base, group_tensors(layer));
    return search_systolic(arch, problem, options, true, energy_of(arch, layer, problem, base, options));
  }
  Search s;
  s.dataflow = arch.pe_array.dataflow;
  s.objective = arch.mapper.objective;
  const Mapping mp = map_fixed(arch, layer);
  s.candidates.push_back(fixed_candidate(mp));
  if (s.objective != arch::MapperObjective::Cycles && options.price_layer) {
    s.candidates.back().energy_pj = options.price_layer(layer)(mp, mp.estimate.total_cycles);
  }
  s.considered = 1;
  return s;
}

}  // namespace qarch::mapping
