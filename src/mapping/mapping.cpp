#include "mapping/mapping.hpp"

#include <algorithm>

#include "arch/layer_formats.hpp"
#include "mapping/packing.hpp"

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

std::int64_t usable_bytes(const arch::BufferSpec& buffer) {
  // A double-buffered SRAM fills one half while the array reads the other.
  return buffer.double_buffered ? buffer.size_bytes() / 2 : buffer.size_bytes();
}

BufferTile make_tile(const arch::BufferSpec& buffer, int value_bits, std::int64_t tile_elements,
                     std::int64_t reuse_elements, int dram_bits, std::int64_t dram_elements) {
  BufferTile t;
  t.value_bits = value_bits;
  t.values_per_word = values_per_word(value_bits, buffer.word_bits);
  t.tile_elements = tile_elements;
  t.tile_words = words_for(tile_elements, value_bits, buffer.word_bits);
  t.reuse_elements = reuse_elements;
  t.reuse_bytes = sram_bytes_for(reuse_elements, value_bits, buffer.word_bits);
  t.capacity_bytes = usable_bytes(buffer);
  t.resident = t.reuse_bytes <= t.capacity_bytes;
  t.dram_bytes = dram_bytes_for(dram_elements, dram_bits);
  t.dram_fetches = 1;
  return t;
}

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

void map_systolic(const arch::ArchSpec& arch, const GroupTensors& e, Mapping& mp) {
  mp.unit = Unit::Systolic;
  mp.shape = systolic_shape(mp.dataflow, mp.m, mp.k, mp.n);
  mp.grid = fold_grid(mp.shape, mp.rows, mp.cols);
  mp.folds_per_group = mp.grid.folds();
  mp.cycles_per_fold = systolic_cycles_per_fold(mp.dataflow, mp.rows, mp.cols, mp.shape.t);
  const std::int64_t ur = std::min<std::int64_t>(mp.shape.sr, mp.rows);
  const std::int64_t uc = std::min<std::int64_t>(mp.shape.sc, mp.cols);
  const std::int64_t t = mp.shape.t;
  const int wb = mp.weight_bits, ab = mp.activation_bits, cb = mp.accumulator_bits;
  const auto& wbuf = arch.weight_buffer;
  const auto& ibuf = arch.input_buffer;
  const auto& obuf = arch.output_buffer;
  switch (mp.dataflow) {
    case Dataflow::WeightStationary:
      mp.loop_order = "group > col_fold(n) > row_fold(k) > stream(m)";
      mp.weights = make_tile(wbuf, wb, ur * uc, ur * uc, wb, e.weights);
      mp.inputs = make_tile(ibuf, ab, t * ur, e.inputs, ab, e.inputs);
      mp.inputs.dram_fetches = mp.inputs.resident ? 1 : mp.grid.col_folds;
      mp.outputs = make_tile(obuf, cb, t * uc, mp.m * uc, ab, e.outputs);
      break;
    case Dataflow::InputStationary:
      mp.loop_order = "group > col_fold(m) > row_fold(k) > stream(n)";
      mp.inputs = make_tile(ibuf, ab, ur * uc, ur * uc, ab, e.inputs);
      mp.weights = make_tile(wbuf, wb, t * ur, e.weights, wb, e.weights);
      mp.weights.dram_fetches = mp.weights.resident ? 1 : mp.grid.col_folds;
      mp.outputs = make_tile(obuf, cb, t * uc, uc * mp.n, ab, e.outputs);
      break;
    case Dataflow::OutputStationary:
      mp.loop_order = "group > col_fold(n) > row_fold(m) > stream(k)";
      mp.inputs = make_tile(ibuf, ab, ur * t, e.inputs, ab, e.inputs);
      mp.inputs.dram_fetches = mp.inputs.resident ? 1 : mp.grid.col_folds;
      mp.weights = make_tile(wbuf, wb, t * uc, mp.k * uc, wb, e.weights);
      mp.weights.dram_fetches = mp.weights.resident ? 1 : mp.grid.row_folds;
      mp.outputs = make_tile(obuf, cb, ur * uc, ur * uc, ab, e.outputs);
      break;
    case Dataflow::RowStationary: break;
  }
  mp.psum_spill = mp.dataflow != Dataflow::OutputStationary && !mp.outputs.resident &&
                  mp.grid.row_folds > 1;
  const SystolicFigures f = systolic_figures(mp.dataflow, mp.rows, mp.cols, mp.m, mp.k, mp.n);
  mp.mapping_efficiency = f.mapping_efficiency;
  add_scaled(mp.accesses, f.accesses, mp.groups);
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

}  // namespace

Mapping map_layer(const arch::ArchSpec& arch, const workload::Layer& layer) {
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

  if (layer.gemm.groups == 0) {
    map_vector(arch, layer, mp);
    const std::int64_t cycles = vector_cycles(mp);
    mp.compute_cycles = std::max<std::int64_t>(0, cycles - 1);
    mp.mapping_efficiency =
        cycles > 0 ? static_cast<double>(mp.vector.ops) / (static_cast<double>(cycles) * mp.cols) : 0;
    mp.dram_read_bytes = mp.inputs.dram_bytes;
    mp.dram_write_bytes = mp.outputs.dram_bytes;
    return mp;
  }

  mp.groups = layer.gemm.groups;
  mp.m = layer.gemm.m;
  mp.k = layer.gemm.k;
  mp.n = layer.gemm.n;
  const GroupTensors tensors = group_tensors(layer);
  if (mp.dataflow == Dataflow::RowStationary) {
    map_row_stationary(arch, layer, tensors, mp);
  } else {
    map_systolic(arch, tensors, mp);
  }
  mp.macs = layer.gemm.macs();
  mp.compute_cycles = std::max<std::int64_t>(0, mp.folds() * mp.cycles_per_fold - 1);
  const std::int64_t psum_bytes =
      mp.psum_spill ? (mp.grid.row_folds - 1) * dram_bytes_for(mp.m * mp.n, mp.accumulator_bits) : 0;
  mp.dram_read_bytes = mp.groups * (mp.weights.dram_bytes * mp.weights.dram_fetches +
                                    mp.inputs.dram_bytes * mp.inputs.dram_fetches + psum_bytes);
  mp.dram_write_bytes = mp.groups * (mp.outputs.dram_bytes + psum_bytes);
  return mp;
}

}  // namespace qarch::mapping
