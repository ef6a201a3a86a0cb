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
  EXPECT_EQ(p.levels, 4);
  EXPECT_EQ(p.lane_folds, 3);
  EXPECT_EQ(p.k_tiles, 1);
  EXPECT_EQ(p.position_tiles, 1);
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
  EXPECT_EQ(p.position_tiles, 7);
  EXPECT_EQ(p.k_tiles, 1);
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

TEST(AdderTree, KTilesKeepPartialSumsInTheOutputBufferWhenWeightsAreCheaperToReread) {
  // 4 KiB of weights usable: 4096 / 16 lanes = 256 of k per k tile, so k = 576 is 256 + 256 + 64;
  // 512 positions per tile (int32 accumulators), 7 tiles. positions > k tiles keeps the psums in
  // NBout and re-reads the lane fold's weights per position tile (7 x 36864 B); k tiles >
  // positions would read them once but spill 2 x 2 x 802816 B of psums.
  auto a = testing::make_arch(16, 16, arch::Dataflow::AdderTree);
  a.weight_buffer.size_kib = 8;
  const auto layer = testing::conv_layer("c", 58, 58, 3, 3, 64, 64, 1);
  const Mapping mp = map_layer(a, layer);
  const AdderTreePlan& p = mp.plan_as<AdderTreePlan>();
  EXPECT_EQ(p.k_tile, 256);
  EXPECT_EQ(p.k_tiles, 3);
  EXPECT_EQ(p.positions, 512);
  EXPECT_FALSE(p.k_outer);
  EXPECT_FALSE(mp.psum_spill);
  EXPECT_EQ(mp.weights.dram_fetches, 7);
  EXPECT_EQ(mp.dram_read_bytes, 4 * 215296 + 7 * 64 * 64 * 9);
  EXPECT_EQ(mp.accesses.output_writes, 3 * 3136 * 64);  // a psum per k tile
  EXPECT_EQ(mp.accesses.psum_reads, 2 * 3136 * 64);
  EXPECT_EQ(mp.compute_cycles, 4 * (3136 * 36 + 7 * 3 * (4 + 1)) - 1);
}

TEST(AdderTree, KTilesOutsidePositionsWhenPartialSumsAreCheaperToSpill) {
  // fc 1024 -> 256 on a batch of 64: k tiles of 256 (4), 8 positions per tile (1 KiB of NBout:
  // 128 int32 / 16 lanes), 16 lane folds. Re-reading 256 KiB of weights per position tile costs
  // 8 x 262144 B; spilling the 64 x 256 int32 psums between k tiles 3 x 65536 B each way.
  auto a = testing::make_arch(16, 16, arch::Dataflow::AdderTree);
  a.weight_buffer.size_kib = 8;
  a.output_buffer.size_kib = 1;
  const Mapping mp = map_layer(a, testing::fc_layer("fc", 1024, 256, 64));
  const AdderTreePlan& p = mp.plan_as<AdderTreePlan>();
  EXPECT_EQ(p.k_tiles, 4);
  EXPECT_EQ(p.position_tiles, 8);
  EXPECT_TRUE(p.k_outer);
  EXPECT_TRUE(mp.psum_spill);
  EXPECT_EQ(mp.weights.dram_fetches, 1);
  EXPECT_EQ(mp.dram_read_bytes, 262144 + 16 * 65536 + 3 * 65536);  // weights, inputs per lane fold, psums
  EXPECT_EQ(mp.dram_write_bytes, 3 * 65536 + 64 * 256);
}

TEST(AdderTree, FoldsCoverThePositionsAndOutputsOnce) {
  const auto layer = testing::conv_layer("c", 30, 30, 3, 3, 8, 20, 1);  // m = 784, n = 20
  auto a = testing::make_arch(4, 8, arch::Dataflow::AdderTree, false);
  a.output_buffer.size_kib = 1;  // 512 B usable: 128 int32 / 8 lanes = 16 positions per tile
  const Mapping mp = map_layer(a, layer);
  EXPECT_EQ(mp.plan_as<AdderTreePlan>().positions, 16);
  std::int64_t written = 0, macs = 0, cycles = 0;
  FoldAccesses sum;
  for (std::int64_t i = 0; i < mp.folds(); ++i) {
    const FoldWork w = fold_work(mp, i);
    written += w.stores.bytes();
    macs += w.accesses.macs;
    cycles += w.cycles;
    sum += w.accesses;
  }
  EXPECT_EQ(sum, mp.accesses);
  EXPECT_EQ(written, mp.dram_write_bytes);
  EXPECT_EQ(written, 784 * 20);
  EXPECT_EQ(macs, layer.macs());
  EXPECT_EQ(cycles - 1, mp.compute_cycles);
}

}  // namespace
}  // namespace qarch::mapping
