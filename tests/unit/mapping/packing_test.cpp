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

Storage storage_of(const char* format) { return Storage::of(numerics::Format::parse(format)); }

TEST(Packing, BlockScalesAreStoredBesideTheirElements) {
  // Bits per element with the scales, as the formats define them.
  const std::int64_t n = 32 * 128 * 4;  // a whole number of blocks of every format below
  EXPECT_EQ(dram_bytes_for(n, storage_of("mxfp4")) * 8, n * 17 / 4);              // 4.25
  EXPECT_EQ(dram_bytes_for(n, storage_of("nvfp4")) * 8, n * 9 / 2);               // 4.5
  EXPECT_EQ(dram_bytes_for(n, storage_of("int4_g128")) * 8, n * (4 * 128 + 32) / 128);  // 4 + 32/G
  EXPECT_EQ(dram_bytes_for(n, storage_of("int4_g32")) * 8, n * 5);
  EXPECT_EQ(dram_bytes_for(n, storage_of("int4_g128_fp16")) * 8, n * (4 * 128 + 16) / 128);
  EXPECT_EQ(dram_bytes_for(n, storage_of("mxfp8_e4m3_b16")) * 8, n * (8 * 16 + 8) / 16);
  // A partial last block still has its scale.
  EXPECT_EQ(storage_of("mxfp4").scales(33), 2);
  EXPECT_EQ(dram_bytes_for(33, storage_of("mxfp4")), (33 * 4 + 2 * 8 + 7) / 8);
  // In SRAM the scales take their own words: 1024 MXFP4 elements in 64-bit words are 64 words
  // of 16 elements and 4 words of 8 E8M0 scales.
  EXPECT_EQ(words_for(1024, storage_of("mxfp4"), 64), 64 + 4);
  EXPECT_EQ(sram_bytes_for(1024, storage_of("mxfp4"), 64), 68 * 8);
  // Group fp32 scales wider than an 8-bit word take several words each.
  EXPECT_EQ(words_for(256, storage_of("int4_g128"), 8), 128 + 2 * 4);
  // A scalar format is its width alone.
  EXPECT_EQ(storage_of("int4"), Storage(4));
  EXPECT_EQ(words_for(1024, storage_of("int4"), 64), 64);
}

TEST(Packing, UsableValuesAreTheMostWhoseWordsFit) {
  // The largest count whose words (scales included) fit, against a count-up.
  for (const char* f : {"mxfp4", "nvfp4", "int4_g32", "int8_g128_fp16", "mxfp6_e3m2_b8", "int8", "fp16", "fp32"}) {
    for (int word_bits : {8, 16, 64}) {
      for (double kib : {0.0625, 0.25, 1.0}) {
        arch::BufferSpec b;
        b.size_kib = kib;
        b.word_bits = word_bits;
        b.double_buffered = false;
        const Storage s = storage_of(f);
        const std::int64_t words = b.size_bytes() * 8 / word_bits;
        std::int64_t most = 0;
        while (words_for(most + 1, s, word_bits) <= words) ++most;
        EXPECT_EQ(usable_values(b, s), most) << f << " in " << word_bits << "-bit words, " << kib << " KiB";
      }
    }
  }
}

TEST(Packing, BlockScalesAddToTheTrafficOfAMappedLayer) {
  // The same 4-bit elements with and without a shared scale per 32: the mapped layer moves
  // 4.25 / 4 of the weight bytes, and its tiles hold the scales' words too.
  const auto layer = testing::conv_layer("c", 30, 30, 3, 3, 64, 64, 1);
  const auto plain = testing::make_arch(32, 16, arch::Dataflow::WeightStationary, true, "fp<2,1>", "int8");
  const auto mx = testing::make_arch(32, 16, arch::Dataflow::WeightStationary, true, "mxfp4", "int8");
  const Mapping m4 = map_layer(plain, layer), mx4 = map_layer(mx, layer);
  const std::int64_t weights = 64 * 64 * 9;
  EXPECT_EQ(m4.weights.dram_bytes, weights / 2);
  EXPECT_EQ(mx4.weights.dram_bytes, weights * 17 / 4 / 8);
  EXPECT_EQ(mx4.dram_read_bytes - m4.dram_read_bytes, mx4.weights.dram_bytes - m4.weights.dram_bytes);
  EXPECT_EQ(mx4.weights.tile_words, words_for(mx4.weights.tile_elements, storage_of("mxfp4"), 64));
  EXPECT_GT(mx4.weights.tile_words, m4.weights.tile_words);
  EXPECT_EQ(mx4.weights.value_bits, 4);  // the element width; the array multiplies elements
}

}  // namespace
}  // namespace qarch::mapping
