#include "cost/actions.hpp"

#include <algorithm>

#include "mapping/packing.hpp"

namespace qarch::cost {

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
std::int64_t word_bits_for(std::int64_t elements, const mapping::Storage& value_bits, const arch::BufferSpec& buffer) {
  return mapping::words_for(elements, value_bits, buffer.word_bits) * buffer.word_bits;
}

// Bits a buffer moves for a DMA transfer of `bytes`: whole words.
std::int64_t word_bits_for_bytes(std::int64_t bytes, const arch::BufferSpec& buffer) {
  const int w = std::max(1, buffer.word_bits);
  return mapping::ceil_div(bytes * 8, w) * w;
}

}  // namespace

LayerActions actions_from(const arch::ArchSpec& arch, const mapping::Mapping& mp,
                          const arch::LayerFormats& formats) {
  LayerActions a;
  a.weight_format = formats.weight;
  a.activation_format = formats.activation;
  a.accumulator_format = formats.accumulator;
  a.multiplier = formats.multiplier;
  const mapping::Storage wb = mp.weight_storage, ab = mp.activation_storage;
  const mapping::FoldAccesses& x = mp.accesses;
  a.cycles = mp.compute_cycles + 1;
  a.dram_read_bytes = mp.dram_read_bytes;
  a.dram_write_bytes = mp.dram_write_bytes;

  // DMA traffic into and out of the buffers, as map_layer() moves it.
  // Less what the layer keeps on chip (fusion.hpp).
  const std::int64_t weight_fill =
      mp.groups * mp.weights.dram_bytes * mp.weights.dram_fetches - mp.on_chip.weight_bytes_saved;
  const std::int64_t input_fill =
      mp.groups * mp.inputs.dram_bytes * mp.inputs.dram_fetches - mp.on_chip.input_bytes_saved;
  // What else is read from DRAM goes to the output buffer: partial sums spilled between row folds.
  const std::int64_t output_fill = std::max<std::int64_t>(0, mp.dram_read_bytes - weight_fill - input_fill);
  const std::int64_t output_drain = mp.dram_write_bytes;

  // Accumulators from the array, activations from the vector unit.
  const mapping::Storage ob = mp.vector ? mp.activation_storage : mapping::Storage(mp.output_bits);
  a.macs = mp.macs;
  if (mp.vector) {
    a.vector_ops = x.input_reads;
    a.vector_function = mp.function;
    a.vector_row = mp.function_row;
  }
  a.buffer(Store::Weight).read_bits = word_bits_for(x.weight_reads, wb, arch.weight_buffer);
  a.buffer(Store::Weight).write_bits = word_bits_for_bytes(weight_fill, arch.weight_buffer);
  a.buffer(Store::Input).read_bits = word_bits_for(x.input_reads, ab, arch.input_buffer);
  a.buffer(Store::Input).write_bits = word_bits_for_bytes(input_fill, arch.input_buffer);
  a.buffer(Store::Output).read_bits = word_bits_for(x.psum_reads, ob, arch.output_buffer) +
                                      word_bits_for_bytes(output_drain, arch.output_buffer);
  a.buffer(Store::Output).write_bits = word_bits_for(x.output_writes, ob, arch.output_buffer) +
                                       word_bits_for_bytes(output_fill, arch.output_buffer);

  const mapping::PeActions pe = mp.flow->pe_actions(mp);
  for (Store s : kStores) {
    a.rf(s).read_bits = pe.rf_read_bits[static_cast<int>(s)];
    a.rf(s).write_bits = pe.rf_write_bits[static_cast<int>(s)];
  }
  a.array_bits = pe.array_bits;
  return a;
}

LayerActions actions_from(const arch::ArchSpec& arch, const workload::Layer& layer,
                          const mapping::MapperOptions& options) {
  return actions_from(arch, mapping::map_layer(arch, layer, options), arch::resolve_formats(arch, layer));
}

}  // namespace qarch::cost
