#include "sim/layer_counters.hpp"

#include <algorithm>

#include "mapping/packing.hpp"

namespace qarch::sim {

using mapping::Operand;
using mapping::words_for;

void LayerCounters::add(const mapping::FoldAccesses& a) { accesses += a; }

namespace {

std::int64_t byte_words(std::int64_t bytes, int word_bits) {
  return mapping::ceil_div(bytes * 8, std::max(1, word_bits));
}

BufferCounts buffer_counts(const arch::BufferSpec& buffer, std::int64_t read_elements,
                           const mapping::Storage& read_bits, std::int64_t write_elements,
                           const mapping::Storage& write_bits,
                           std::int64_t fill_bytes, std::int64_t drain_bytes) {
  BufferCounts b;
  b.read_words = words_for(read_elements, read_bits, buffer.word_bits) +
                 byte_words(drain_bytes, buffer.word_bits);
  b.read_bits = read_bits.stored_bits(read_elements) + drain_bytes * 8;
  b.write_words = words_for(write_elements, write_bits, buffer.word_bits) +
                  byte_words(fill_bytes, buffer.word_bits);
  b.write_bits = write_bits.stored_bits(write_elements) + fill_bytes * 8;
  return b;
}

}  // namespace

LayerStats make_layer_stats(const arch::ArchSpec& arch, const mapping::Mapping& mp,
                            const LayerCounters& c) {
  LayerStats s;
  s.name = mp.layer;
  s.type = std::string(workload::to_string(mp.type));
  s.unit = std::string(mp.unit());
  s.compute_cycles = std::max<std::int64_t>(0, c.busy_cycles - c.sram_stall_cycles - 1);
  s.sram_stall_cycles = c.sram_stall_cycles;
  s.total_cycles = std::max<std::int64_t>(0, c.end_cycle - c.start_cycle - 1);
  s.stall_cycles = s.total_cycles - s.compute_cycles;
  s.folds = c.folds;
  s.macs = c.accesses.macs;
  s.mac_style = mp.multiplier;
  s.weight_bits = mp.weight_bits;
  s.activation_bits = mp.activation_bits;
  s.accumulator_bits = mp.accumulator_bits;
  // Products the array can do per clock in this layer's precision mode.
  const double pes = mp.vector ? static_cast<double>(arch.pe_array.rows) * arch.pe_array.cols
                               : static_cast<double>(mp.rows) * mp.cols / mp.step_cycles;
  s.utilization = s.total_cycles > 0 ? static_cast<double>(s.macs) / (static_cast<double>(s.total_cycles) * pes) : 0;
  s.mapping_efficiency = mp.mapping_efficiency;

  const auto& a = c.accesses;
  s.input_reads_elements = a.input_reads;
  s.weight_reads_elements = a.weight_reads;
  s.output_writes_elements = a.output_writes;
  s.psum_reads_elements = a.psum_reads;
  const mapping::Storage wb = mp.weight_storage, ab = mp.activation_storage;
  // The vector unit writes activations, the array sums.
  const mapping::Storage ob = mp.vector ? mp.activation_storage : mapping::Storage(mp.output_bits);
  const auto fill = [&](Operand o) { return c.fill_bytes[static_cast<int>(o)]; };
  s.weight_buffer = buffer_counts(arch.weight_buffer, a.weight_reads, wb, 0, wb, fill(Operand::Weight), 0);
  s.input_buffer = buffer_counts(arch.input_buffer, a.input_reads, ab, 0, ab, fill(Operand::Input), 0);
  s.output_buffer = buffer_counts(arch.output_buffer, a.psum_reads, ob, a.output_writes, ob,
                                  fill(Operand::Output), c.drain_bytes);
  if (mp.vector) s.vector_ops = a.input_reads;
  s.dram_read_bytes = c.dram.read_bytes;
  s.dram_write_bytes = c.dram.write_bytes;
  s.dram_bursts = c.dram.bursts;
  s.dram_row_hits = c.dram.row_hits;
  s.dram_row_misses = c.dram.row_misses;
  return s;
}

}  // namespace qarch::sim
