#pragma once
// One operand's use of its buffer, and the DRAM traffic that follows from whether its reuse set
// fits (docs/architecture.md, "Tiling, packing and DRAM traffic").

#include <cstdint>

#include "arch/arch_spec.hpp"
#include "mapping/packing.hpp"

namespace qarch::mapping {

enum class Operand { Weight, Input, Output };

// One operand's use of its buffer, for one group.
struct BufferTile {
  int value_bits = 0;                 // bits per value held (accumulator bits for partial sums)
  Storage storage;                    // value_bits and the block scales held with the values
  int values_per_word = 0;            // packing into the buffer's word_bits
  std::int64_t tile_elements = 0;     // working set of one fold
  std::int64_t tile_words = 0;
  std::int64_t reuse_elements = 0;    // what must stay on chip to avoid re-reading DRAM
  std::int64_t reuse_bytes = 0;       // reuse_elements in whole buffer words
  std::int64_t capacity_bytes = 0;    // usable: half the buffer when double-buffered
  bool resident = false;              // reuse_bytes <= capacity_bytes
  std::int64_t dram_bytes = 0;        // the tensor of one group in DRAM, densely packed
  std::int64_t dram_fetches = 0;      // times that tensor is read (outputs: written) per group
};

// Usable bytes: a double-buffered SRAM fills one half while the array reads the other.
std::int64_t usable_bytes(const arch::BufferSpec& buffer);

// Values of `storage` the usable bytes hold, in whole words with their scales (packing.hpp).
std::int64_t usable_values(const arch::BufferSpec& buffer, const Storage& storage);

// A tile of `storage` values in `buffer`, read `dram_fetches = 1` time from a DRAM tensor of
// `dram_elements` values stored as `dram_storage`.
BufferTile make_tile(const arch::BufferSpec& buffer, const Storage& storage, std::int64_t tile_elements,
                     std::int64_t reuse_elements, const Storage& dram_storage, std::int64_t dram_elements);

}  // namespace qarch::mapping
