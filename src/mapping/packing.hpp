#pragma once
// How operand bit-width turns into storage: values are packed into SRAM words without straddling
// a word boundary, and stored densely in DRAM. Plain arithmetic, shared by mapping and sim.

#include <cstdint>

#include "numerics/format.hpp"

namespace qarch::mapping {

inline std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return (a + b - 1) / b; }

// How one tensor's values are stored: `bits` per value and, for a block-scaled format, one
// `scale_bits` scale per `block` consecutive values. The scales are a second, small tensor kept
// beside the elements: their own SRAM words, and their bytes in DRAM (mxfp4: 4 + 8/32 = 4.25
// bits per value).
struct Storage {
  int bits = 0;
  int scale_bits = 0;
  int block = 0;  // 0: no scales

  Storage() = default;
  Storage(int value_bits) : bits(value_bits) {}  // NOLINT(google-explicit-constructor): a scalar width
  Storage(int value_bits, int scale, int block_size) : bits(value_bits), scale_bits(scale), block(block_size) {}
  static Storage of(const numerics::Format& format) {
    return {format.bits(), format.scale_bits(), format.block_size()};
  }

  std::int64_t scales(std::int64_t elements) const { return block > 0 && elements > 0 ? ceil_div(elements, block) : 0; }
  std::int64_t stored_bits(std::int64_t elements) const { return elements * bits + scales(elements) * scale_bits; }
  friend bool operator==(const Storage& a, const Storage& b) {
    return a.bits == b.bits && a.scale_bits == b.scale_bits && a.block == b.block;
  }
};

// Values of `value_bits` that one `word_bits` SRAM word holds (two int4 per byte, 16 per 64-bit
// word). A value wider than the word takes ceil(value_bits / word_bits) words, reported as 1
// value per word here and accounted for by words_for().
int values_per_word(int value_bits, int word_bits);

// SRAM words needed to hold `elements` values (and their scales).
std::int64_t words_for(std::int64_t elements, const Storage& storage, int word_bits);

// SRAM bytes occupied by `elements` values (whole words).
std::int64_t sram_bytes_for(std::int64_t elements, const Storage& storage, int word_bits);

// DRAM bytes of a densely packed tensor of `elements` values and their scales.
std::int64_t dram_bytes_for(std::int64_t elements, const Storage& storage);

// floor(a * b / c) without overflow, for a, b, c >= 0, c > 0.
std::int64_t mul_div(std::int64_t a, std::int64_t b, std::int64_t c);

// Divides `total` into `count` consecutive parts along a coordinate of extent `extent`: the part
// covering [begin, end) is floor(end * total / extent) - floor(begin * total / extent), so the
// parts sum to `total` exactly whatever the rounding.
std::int64_t share_of(std::int64_t total, std::int64_t begin, std::int64_t end, std::int64_t extent);

}  // namespace qarch::mapping
