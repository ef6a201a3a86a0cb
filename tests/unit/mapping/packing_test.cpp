// Operand width is physical: packing, tile capacity and DRAM bytes follow the bit-width.

#include <gtest/gtest.h>

#include "mapping/mapping.hpp"
#include "mapping/packing.hpp"
#include "test_layers.hpp"

namespace qarch::mapping {
namespace {

TEST(Packing, ValuesPerWord) {
  EXPECT_EQ(values_per_word(4, 8), 2);    // two 4-bit weights per byte
  EXPECT_EQ(values_per_word(4, 64), 16);  // twice as many per word as int8
  EXPECT_EQ(values_per_word(8, 64), 8);
  EXPECT_EQ(values_per_word(3, 64), 21);  // no value straddles a word
  EXPECT_EQ(values_per_word(16, 8), 1);
  EXPECT_EQ(words_for(10, 16, 8), 20);    // a value wider than the word takes several
  EXPECT_EQ(words_for(17, 4, 64), 2);
  EXPECT_EQ(sram_bytes_for(17, 4, 64), 16);
  EXPECT_EQ(dram_bytes_for(3, 4), 2);
  EXPECT_EQ(dram_bytes_for(1000, 1), 125);
}

TEST(Packing, SharesSumExactly) {
  std::int64_t sum = 0;
  for (std::int64_t i = 0; i < 7; ++i) sum += share_of(1000, i * 3, std::min<std::int64_t>(20, i * 3 + 3), 20);
  EXPECT_EQ(sum, 1000);
  EXPECT_EQ(mul_div(std::int64_t{1} << 40, std::int64_t{1} << 40, std::int64_t{1} << 50), std::int64_t{1} << 30);
}

TEST(Packing, HalvingWeightWidthHalvesWeightBytesAndWords) {
  const auto layer = testing::conv_layer("c", 30, 30, 3, 3, 64, 64, 1);
  const auto a8 = testing::make_arch(16, 16, arch::Dataflow::WeightStationary, true, "int8");
  const auto a4 = testing::make_arch(16, 16, arch::Dataflow::WeightStationary, true, "int4");
  const Mapping m8 = map_layer(a8, layer), m4 = map_layer(a4, layer);
  EXPECT_EQ(m8.weights.dram_bytes, 64 * 64 * 9);
  EXPECT_EQ(m4.weights.dram_bytes, 64 * 64 * 9 / 2);
  EXPECT_EQ(m4.weights.values_per_word, 2 * m8.weights.values_per_word);
  EXPECT_EQ(m4.weights.tile_words * 2, m8.weights.tile_words);
  EXPECT_EQ(m8.dram_read_bytes - m4.dram_read_bytes, 64 * 64 * 9 / 2);
}

TEST(Packing, NarrowActivationsFitWhereWideOnesAreRefetched) {
  // 28x28x64 ifmap: 50176 B at int8, 25088 B at int4; the 64 KiB double-buffered input buffer
  // has 32 KiB usable. The output buffer is made large enough that no partial sums spill.
  const auto layer = testing::conv_layer("c", 28, 28, 3, 3, 64, 128, 1);
  auto a8 = testing::make_arch(16, 16, arch::Dataflow::WeightStationary, true, "int8", "int8");
  auto a4 = testing::make_arch(16, 16, arch::Dataflow::WeightStationary, true, "int8", "int4");
  a8.output_buffer.size_kib = a4.output_buffer.size_kib = 256;
  const Mapping m8 = map_layer(a8, layer), m4 = map_layer(a4, layer);
  EXPECT_FALSE(m8.inputs.resident);
  EXPECT_TRUE(m4.inputs.resident);
  EXPECT_EQ(m8.inputs.dram_fetches, 8);  // one per column fold of 128 filters on 16 columns
  EXPECT_EQ(m4.inputs.dram_fetches, 1);
  EXPECT_EQ(m8.inputs.dram_bytes * 8, 16 * m4.inputs.dram_bytes * 1);
  EXPECT_LT(m4.dram_read_bytes * 4, m8.dram_read_bytes);  // far more than the 2x of width alone
}

}  // namespace
}  // namespace qarch::mapping
