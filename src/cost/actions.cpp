#include "cost/actions.hpp"

#include <algorithm>

#include "mapping/packing.hpp"

namespace qarch::cost {

using mapping::Unit;

const char* to_string(Store store) {
  switch (store) {
    case Store::Weight: return "weight";
    case Store::Input: return "input";
    case Store::Output: return "output";
  }
  return "?";
}

namespace {

// Bits a buffer moves for `elements` values of `value_bits`: whole words.
std::int64_t word_bits_for(std::int64_t elements, int value_bits, const arch::BufferSpec& buffer) {
  return mapping::words_for(elements, value_bits, buffer.word_bits) * buffer.word_bits;
}

// Bits a buffer moves for a DMA transfer of `bytes`: whole words.
std::int64_t word_bits_for_bytes(std::int64_t bytes, const arch::BufferSpec& buffer) {
  const int w = std::max(1, buffer.word_bits);
  return mapping::ceil_div(bytes * 8, w) * w;
}

// Psums passed up the columns of the PE sets: in each pass every output row of every item
// crosses used_h - 1 PEs.
std::int64_t rs_psum_hops(const mapping::Mapping& mp) {
  std::int64_t hops = 0;
  for (std::int64_t i = 0; i < mp.rs.passes; ++i) {
    const mapping::RowStationaryPass pass = mapping::rs_pass_at(mp.rs_problem, mp.rs, i);
    hops += pass.items * pass.used_w * mp.rs_problem.out_w * std::max<std::int64_t>(0, pass.used_h - 1);
  }
  return hops * mp.groups;
}

}  // namespace

LayerActions actions_from(const arch::ArchSpec& arch, const mapping::Mapping& mp,
                          const arch::LayerFormats& formats) {
  LayerActions a;
  a.weight_format = formats.weight;
  a.activation_format = formats.activation;
  a.accumulator_format = formats.accumulator;
  a.multiplier = formats.multiplier;
  const int wb = mp.weight_bits, ab = mp.activation_bits, cb = mp.accumulator_bits;
  const mapping::FoldAccesses& x = mp.accesses;
  a.cycles = mp.compute_cycles + 1;
  a.dram_read_bytes = mp.dram_read_bytes;
  a.dram_write_bytes = mp.dram_write_bytes;

  // DMA traffic into and out of the buffers, as map_layer() moves it.
  const std::int64_t weight_fill = mp.groups * mp.weights.dram_bytes * mp.weights.dram_fetches;
  const std::int64_t input_fill = mp.groups * mp.inputs.dram_bytes * mp.inputs.dram_fetches;
  // What else is read from DRAM goes to the output buffer: partial sums spilled between row folds.
  const std::int64_t output_fill = std::max<std::int64_t>(0, mp.dram_read_bytes - weight_fill - input_fill);
  const std::int64_t output_drain = mp.dram_write_bytes;

  if (mp.unit == Unit::Vector) {
    a.vector_ops = mp.vector.ops;
    a.buffer(Store::Input).read_bits = word_bits_for(mp.vector.ops, ab, arch.input_buffer);
    a.buffer(Store::Input).write_bits = word_bits_for_bytes(mp.dram_read_bytes, arch.input_buffer);
    a.buffer(Store::Output).write_bits = word_bits_for(mp.vector.output_elements, ab, arch.output_buffer);
    a.buffer(Store::Output).read_bits = word_bits_for_bytes(output_drain, arch.output_buffer);
    return a;
  }

  a.macs = mp.macs;
  a.buffer(Store::Weight).read_bits = word_bits_for(x.weight_reads, wb, arch.weight_buffer);
  a.buffer(Store::Weight).write_bits = word_bits_for_bytes(weight_fill, arch.weight_buffer);
  a.buffer(Store::Input).read_bits = word_bits_for(x.input_reads, ab, arch.input_buffer);
  a.buffer(Store::Input).write_bits = word_bits_for_bytes(input_fill, arch.input_buffer);
  a.buffer(Store::Output).read_bits = word_bits_for(x.psum_reads, cb, arch.output_buffer) +
                                      word_bits_for_bytes(output_drain, arch.output_buffer);
  a.buffer(Store::Output).write_bits = word_bits_for(x.output_writes, cb, arch.output_buffer) +
                                       word_bits_for_bytes(output_fill, arch.output_buffer);

  const std::int64_t macs = mp.macs;
  if (mp.unit == Unit::Systolic) {
    a.rf(Store::Weight).read_bits = macs * wb;
    a.rf(Store::Input).read_bits = macs * ab;
    a.rf(Store::Output).write_bits = macs * cb;
    switch (mp.dataflow) {
      case arch::Dataflow::OutputStationary: a.array_bits = macs * (ab + wb); break;
      case arch::Dataflow::InputStationary: a.array_bits = macs * (wb + cb); break;
      default: a.array_bits = macs * (ab + cb); break;
    }
  } else {
    a.rf(Store::Weight).read_bits = macs * wb;
    a.rf(Store::Weight).write_bits = x.weight_reads * wb;
    a.rf(Store::Input).read_bits = macs * ab;
    a.rf(Store::Input).write_bits = x.input_reads * ab;
    a.rf(Store::Output).read_bits = macs * cb;
    a.rf(Store::Output).write_bits = macs * cb;
    a.array_bits = rs_psum_hops(mp) * cb;
  }
  return a;
}

LayerActions actions_from(const arch::ArchSpec& arch, const workload::Layer& layer,
                          const mapping::MapperOptions& options) {
  return actions_from(arch, mapping::map_layer(arch, layer, options), arch::resolve_formats(arch, layer));
}

}  // namespace qarch::cost
