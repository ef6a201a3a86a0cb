#include "mapping/packing.hpp"

namespace qarch::mapping {

namespace {
__extension__ using Int128 = __int128;  // products of byte counts and extents exceed 64 bits
}

int values_per_word(int value_bits, int word_bits) {
  if (value_bits <= 0 || word_bits <= 0) return 1;
  return value_bits >= word_bits ? 1 : word_bits / value_bits;
}

namespace {

std::int64_t plain_words(std::int64_t elements, int value_bits, int word_bits) {
  if (elements <= 0) return 0;
  if (value_bits > word_bits) return elements * ceil_div(value_bits, word_bits);
  return ceil_div(elements, values_per_word(value_bits, word_bits));
}

}  // namespace

std::int64_t words_for(std::int64_t elements, const Storage& storage, int word_bits) {
  return plain_words(elements, storage.bits, word_bits) +
         plain_words(storage.scales(elements), storage.scale_bits, word_bits);
}

std::int64_t sram_bytes_for(std::int64_t elements, const Storage& storage, int word_bits) {
  return words_for(elements, storage, word_bits) * ceil_div(word_bits, 8);
}

std::int64_t dram_bytes_for(std::int64_t elements, const Storage& storage) {
  if (elements <= 0) return 0;
  return ceil_div(storage.stored_bits(elements), 8);
}

std::int64_t mul_div(std::int64_t a, std::int64_t b, std::int64_t c) {
  return static_cast<std::int64_t>(static_cast<Int128>(a) * b / c);
}

std::int64_t share_of(std::int64_t total, std::int64_t begin, std::int64_t end, std::int64_t extent) {
  if (extent <= 0 || total <= 0) return 0;
  return mul_div(end, total, extent) - mul_div(begin, total, extent);
}

}  // namespace qarch::mapping
