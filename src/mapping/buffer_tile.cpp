#include "mapping/buffer_tile.hpp"

#include <algorithm>

#include "mapping/packing.hpp"

namespace qarch::mapping {

std::int64_t usable_bytes(const arch::BufferSpec& buffer) {
  return buffer.double_buffered ? buffer.size_bytes() / 2 : buffer.size_bytes();
}

std::int64_t usable_values(const arch::BufferSpec& buffer, int value_bits) {
  const std::int64_t words = usable_bytes(buffer) * 8 / std::max(1, buffer.word_bits);
  return words * values_per_word(value_bits, buffer.word_bits);
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

}  // namespace qarch::mapping
