#include "mapping/buffer_tile.hpp"

#include <algorithm>

#include "mapping/packing.hpp"

namespace qarch::mapping {

std::int64_t usable_bytes(const arch::BufferSpec& buffer) {
  return buffer.double_buffered ? buffer.size_bytes() / 2 : buffer.size_bytes();
}

std::int64_t usable_values(const arch::BufferSpec& buffer, const Storage& storage) {
  const std::int64_t words = usable_bytes(buffer) * 8 / std::max(1, buffer.word_bits);
  if (storage.block == 0 && storage.bits <= buffer.word_bits) return words * values_per_word(storage.bits, buffer.word_bits);
  // The most values whose words (and their scales' words) fit: words_for grows with the count.
  std::int64_t lo = 0, hi = words * values_per_word(storage.bits, buffer.word_bits);
  while (lo < hi) {
    const std::int64_t mid = lo + (hi - lo + 1) / 2;
    if (words_for(mid, storage, buffer.word_bits) <= words) {
      lo = mid;
    } else {
      hi = mid - 1;
    }
  }
  return lo;
}

BufferTile make_tile(const arch::BufferSpec& buffer, const Storage& storage, std::int64_t tile_elements,
                     std::int64_t reuse_elements, const Storage& dram_storage, std::int64_t dram_elements) {
  BufferTile t;
  const int value_bits = storage.bits;
  t.value_bits = value_bits;
  t.storage = storage;
  t.values_per_word = values_per_word(value_bits, buffer.word_bits);
  t.tile_elements = tile_elements;
  t.tile_words = words_for(tile_elements, storage, buffer.word_bits);
  t.reuse_elements = reuse_elements;
  t.reuse_bytes = sram_bytes_for(reuse_elements, storage, buffer.word_bits);
  t.capacity_bytes = usable_bytes(buffer);
  t.resident = t.reuse_bytes <= t.capacity_bytes;
  t.dram_bytes = dram_bytes_for(dram_elements, dram_storage);
  t.dram_fetches = 1;
  return t;
}

}  // namespace qarch::mapping
