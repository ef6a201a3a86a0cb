// The adder-tree dataflow (DianNao's NFU) against hand-computed plans: lanes over n, chunks of
// Tn over k, positions tiled by what the input and output buffers hold.

#include <gtest/gtest.h>

#include "mapping/adder_tree.hpp"
#include "mapping/fold_plan.hpp"
#include "mapping/mapping.hpp"
#include "test_layers.hpp"

namespace qarch::mapping {
namespace {

TEST(AdderTree, HandComputedFcOn16x16) {
  // 100 inputs -> 40 outputs: 7 chunks of 16 inputs (the last 4 wide), 3 lane folds of 16
  // lanes (the last 8 used), a 4-level tree: each fold 7 + 4 + 1 cycles.
  const Mapping mp = map_layer(testing::make_arch(16, 16, arch::Dataflow::AdderTree), testing::fc_layer("fc", 100, 40));
  const AdderTreePlan& p = mp.plan_as<AdderTreePlan>();
  EXPECT_EQ(mp.unit(), "adder-tree lanes");
  EXPECT_EQ(p.chunks, 7);
  EXPECT_EQ(p.levels, 4);
  EXPECT_EQ(p.lane_folds, 3);
  EXPECT_EQ(p.tiles, 1);
  EXPECT_EQ(mp.folds(), 3);
  EXPECT_EQ(mp.cycles_per_fold, 12);
  EXPECT_EQ(mp.compute_cycles, 3 * 12 - 1);
  EXPECT_EQ(mp.accesses.input_reads, 3 * 100);  // broadcast once per lane fold
  EXPECT_EQ(mp.accesses.weight_reads, 100 * 40);  // every weight once per position
  EXPECT_EQ(mp.accesses.output_writes, 40);
  EXPECT_EQ(mp.accesses.psum_reads, 0);         // partial sums stay in the lanes
  EXPECT_EQ(mp.accesses.macs, 4000);
  EXPECT_DOUBLE_EQ(mp.mapping_efficiency, (100.0 / 112.0) * (40.0 / 48.0));
}

TEST(AdderTree, ConvTilesPositionsByTheInputBuffer) {
  // 58x58x64 int8 ifmap (215296 B) in 32 KiB usable: 32768 * 3136 / 215296 = 477 positions per
  // tile (int32 accumulators would allow 8192 / 16 = 512), 7 tiles; k = 576 in 36 chunks,
  // 4 lane folds. The inputs do not fit, so every lane fold reads them again; a lane fold's
  // 576 x 16 weights (9216 B) stay while its tiles pass.
  const auto layer = testing::conv_layer("c", 58, 58, 3, 3, 64, 64, 1);
  const Mapping mp = map_layer(testing::make_arch(16, 16, arch::Dataflow::AdderTree), layer);
  const AdderTreePlan& p = mp.plan_as<AdderTreePlan>();
  EXPECT_EQ(p.positions, 477);
  EXPECT_EQ(p.tiles, 7);
  EXPECT_EQ(p.lane_folds, 4);
  EXPECT_EQ(mp.compute_cycles, 4 * (3136 * 36 + 7 * (4 + 1)) - 1);
  EXPECT_FALSE(mp.inputs.resident);
  EXPECT_TRUE(mp.weights.resident);
  EXPECT_EQ(mp.inputs.dram_fetches, 4);
  EXPECT_EQ(mp.dram_read_bytes, 4 * 215296 + 64 * 64 * 9);
  EXPECT_EQ(mp.dram_write_bytes, 56 * 56 * 64);
  EXPECT_EQ(mp.accesses.input_reads, 4 * 3136 * 576);
  EXPECT_EQ(mp.accesses.macs, layer.macs());
}

TEST(AdderTree, WeightsStreamPerTileWhenALaneFoldDoesNotFit) {
  auto a = testing::make_arch(16, 16, arch::Dataflow::AdderTree);
  a.weight_buffer.size_kib = 8;  // 4 KiB usable < 9216 B of one lane fold's weights
  const auto layer = testing::conv_layer("c", 58, 58, 3, 3, 64, 64, 1);
  const Mapping mp = map_layer(a, layer);
  EXPECT_FALSE(mp.weights.resident);
  EXPECT_EQ(mp.weights.dram_fetches, 7);
  EXPECT_EQ(mp.dram_read_bytes, 4 * 215296 + 7 * 64 * 64 * 9);
}

TEST(AdderTree, FoldsCoverThePositionsAndOutputsOnce) {
  const auto layer = testing::conv_layer("c", 30, 30, 3, 3, 8, 20, 1);  // m = 784, n = 20
  auto a = testing::make_arch(4, 8, arch::Dataflow::AdderTree, false);
  a.output_buffer.size_kib = 1;  // 512 B usable: 128 int32 / 8 lanes = 16 positions per tile
  const Mapping mp = map_layer(a, layer);
  EXPECT_EQ(mp.plan_as<AdderTreePlan>().positions, 16);
  std::int64_t written = 0, macs = 0, cycles = 0;
  for (std::int64_t i = 0; i < mp.folds(); ++i) {
    const FoldWork w = fold_work(mp, i);
    written += w.stores.bytes();
    macs += w.accesses.macs;
    cycles += w.cycles;
  }
  EXPECT_EQ(written, mp.dram_write_bytes);
  EXPECT_EQ(written, 784 * 20);
  EXPECT_EQ(macs, layer.macs());
  EXPECT_EQ(cycles - 1, mp.compute_cycles);
}

}  // namespace
}  // namespace qarch::mapping
