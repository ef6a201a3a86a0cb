#pragma once
// How operand bit-width turns into storage: values are packed into SRAM words without straddling
// a word boundary, and stored densely in DRAM. Plain arithmetic, shared by mapping and sim.

#include <cstdint>

namespace qarch::mapping {

// Values of `value_bits` that one `word_bits` SRAM word holds (two int4 per byte, 16 per 64-bit
// word). A value wider than the word takes ceil(value_bits / word_bits) words, reported as 1
// value per word here and accounted for by words_for().
int values_per_word(int value_bits, int word_bits);

// SRAM words needed to hold `elements` values.
std::int64_t words_for(std::int64_t elements, int value_bits, int word_bits);

// SRAM bytes occupied by `elements` values (whole words).
std::int64_t sram_bytes_for(std::int64_t elements, int value_bits, int word_bits);

// DRAM bytes of a densely packed tensor of `elements` values.
std::int64_t dram_bytes_for(std::int64_t elements, int value_bits);

// floor(a * b / c) without overflow, for a, b, c >= 0, c > 0.
std::int64_t mul_div(std::int64_t a, std::int64_t b, std::int64_t c);

// Divides `total` into `count` consecutive parts along a coordinate of extent `extent`: the part
// covering [begin, end) is floor(end * total / extent) - floor(begin * total / extent), so the
// parts sum to `total` exactly whatever the rounding.
std::int64_t share_of(std::int64_t total, std::int64_t begin, std::int64_t end, std::int64_t extent);

inline std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return (a + b - 1) / b; }

}  // namespace qarch::mapping
