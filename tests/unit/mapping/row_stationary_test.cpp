// Row-stationary (rs) against an independent closed form, and its reuse property.

#include <gtest/gtest.h>

#include "mapping/mapping.hpp"
#include "mapping/row_stationary.hpp"
#include "test_layers.hpp"

namespace qarch::mapping {
namespace {

TEST(RowStationary, HandComputedConv3x3On12x14) {
  // 58x58x64 padded input, 3x3x64 filters x 64, stride 1: E = F = 56. Sets are 3 x 14 PEs, four
  // of them (12 / 3 rows x 14 / 14 columns); 4 output-row folds, 64 filters / 4 sets = 16 rounds.
  const auto layer = testing::conv_layer("c", 58, 58, 3, 3, 64, 64, 1);
  const Mapping mp = map_layer(testing::make_arch(12, 14, arch::Dataflow::RowStationary), layer);
  EXPECT_EQ(mp.plan_as<RowStationaryMapping>().plan.set_h, 3);
  EXPECT_EQ(mp.plan_as<RowStationaryMapping>().plan.set_w, 14);
  EXPECT_EQ(mp.plan_as<RowStationaryMapping>().plan.sets, 4);
  EXPECT_EQ(mp.plan_as<RowStationaryMapping>().plan.passes, 4 * 16);
  EXPECT_EQ(mp.cycles_per_fold, 64 * (3 + 56 * 3) + 2);
  EXPECT_EQ(mp.compute_cycles, 64 * (64 * (3 + 56 * 3) + 2) - 1);
  EXPECT_DOUBLE_EQ(mp.mapping_efficiency, 1.0);
  // Each pass streams 64 channels x 16 ifmap rows x 58 values, shared by the four sets.
  EXPECT_EQ(mp.accesses.input_reads, 64 * 64 * 16 * 58);
  EXPECT_EQ(mp.accesses.weight_reads, 64 * 64 * 9 * 4);  // every filter once per row fold
  EXPECT_EQ(mp.accesses.output_writes, 64 * 56 * 56);     // psums leave the PEs once
  EXPECT_EQ(mp.accesses.psum_reads, 0);
  EXPECT_EQ(mp.accesses.macs, layer.macs());
}

TEST(RowStationary, TallFiltersFoldOverRowsAndReadPsumsBack) {
  // 7x7 filters on a 4-row array: two filter-row folds (4 + 3 rows).
  const auto layer = testing::conv_layer("c", 20, 20, 7, 7, 3, 8, 1);
  const Mapping mp = map_layer(testing::make_arch(4, 14, arch::Dataflow::RowStationary), layer);
  EXPECT_EQ(mp.plan_as<RowStationaryMapping>().plan.r_folds, 2);
  EXPECT_EQ(mp.plan_as<RowStationaryMapping>().plan.e_folds, 1);
  EXPECT_EQ(mp.accesses.output_writes, 2 * 8 * 14 * 14);
  EXPECT_EQ(mp.accesses.psum_reads, 8 * 14 * 14);
  EXPECT_EQ(mp.accesses.macs, layer.macs());
}

TEST(RowStationary, MacsMatchForRandomLayers) {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 300; ++i) {
    auto a = testing::random_arch(rng, true);
    a.pe_array.dataflow = arch::Dataflow::RowStationary;
    const auto layer = testing::random_layer(rng, i);
    const Mapping mp = map_layer(a, layer);
    EXPECT_EQ(mp.accesses.macs, layer.macs()) << describe(mp);
    EXPECT_LE(mp.mapping_efficiency, 1.0);
  }
}

TEST(RowStationary, ReadsTheBuffersLessThanWsAndOsForConvLayers) {
  std::int64_t convs = 0;
  for (const auto& layer : testing::scalesim_resnet50()) {
    if (layer.kernel_h < 3) continue;
    ++convs;
    auto reads = [&](arch::Dataflow df) {
      const Mapping mp = map_layer(testing::make_arch(12, 14, df), layer);
      return mp.accesses.input_reads + mp.accesses.weight_reads + mp.accesses.psum_reads;
    };
    const auto rs = reads(arch::Dataflow::RowStationary);
    EXPECT_LT(rs, reads(arch::Dataflow::WeightStationary)) << layer.name;
    EXPECT_LT(rs, reads(arch::Dataflow::OutputStationary)) << layer.name;
  }
  EXPECT_EQ(convs, 17);
}

}  // namespace
}  // namespace qarch::mapping
