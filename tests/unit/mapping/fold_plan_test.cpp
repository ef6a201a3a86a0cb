// The per-fold plan that the sim engines walk adds up to the closed-form layer totals.

#include <gtest/gtest.h>

#include "mapping/fold_plan.hpp"
#include "mapping/systolic_dataflow.hpp"
#include "test_layers.hpp"

namespace qarch::mapping {
namespace {

struct Totals {
  std::int64_t cycles = 0, read_bytes = 0, write_bytes = 0;
  FoldAccesses accesses;
};

Totals sum_folds(const Mapping& mp) {
  Totals t;
  for (std::int64_t i = 0; i < mp.folds(); ++i) {
    const FoldWork w = fold_work(mp, i);
    t.cycles += w.cycles;
    t.read_bytes += w.loads.bytes();
    t.write_bytes += w.stores.bytes();
    t.accesses.input_reads += w.accesses.input_reads;
    t.accesses.weight_reads += w.accesses.weight_reads;
    t.accesses.output_writes += w.accesses.output_writes;
    t.accesses.psum_reads += w.accesses.psum_reads;
    t.accesses.macs += w.accesses.macs;
  }
  return t;
}

// The per-fold plan summed over all folds equals the mapping's closed form.
void expect_folds_add_up(const Mapping& mp, const workload::Layer& layer) {
  const Totals t = sum_folds(mp);
  EXPECT_EQ(t.cycles, mp.compute_cycles + 1);
  EXPECT_EQ(t.read_bytes, mp.dram_read_bytes);
  EXPECT_EQ(t.write_bytes, mp.dram_write_bytes);
  EXPECT_EQ(t.accesses.input_reads, mp.accesses.input_reads);
  EXPECT_EQ(t.accesses.weight_reads, mp.accesses.weight_reads);
  EXPECT_EQ(t.accesses.output_writes, mp.accesses.output_writes);
  EXPECT_EQ(t.accesses.psum_reads, mp.accesses.psum_reads);
  EXPECT_EQ(t.accesses.macs, layer.macs());
}

TEST(FoldPlan, FoldsAddUpToTheClosedFormForRandomLayers) {
  std::mt19937_64 rng(20240611);
  int spills = 0, streamed = 0;
  for (int i = 0; i < 600; ++i) {
    const arch::ArchSpec a = testing::random_arch(rng, false);
    const workload::Layer layer = testing::random_layer(rng, i);
    const Mapping mp = map_layer(a, layer);
    SCOPED_TRACE(describe(mp));
    expect_folds_add_up(mp, layer);
    spills += mp.psum_spill ? 1 : 0;
    streamed += (!mp.inputs.resident || !mp.weights.resident) ? 1 : 0;
  }
  // The random design points must exercise the refetch and spill paths.
  EXPECT_GT(spills, 10);
  EXPECT_GT(streamed, 50);
}

TEST(FoldPlan, FoldsAddUpToTheClosedFormForEveryLoopNest) {
  // Any loop order and stream tiling (balanced or not): the folds' cycles, accesses and DRAM
  // transfers add up to the closed form, and each operand moves dram_bytes x dram_fetches.
  static const std::array<Loop, 3> kOrders[] = {
      {Loop::Col, Loop::Tile, Loop::Row}, {Loop::Tile, Loop::Col, Loop::Row},
      {Loop::Col, Loop::Row, Loop::Tile}, {Loop::Row, Loop::Col, Loop::Tile},
      {Loop::Tile, Loop::Row, Loop::Col}, {Loop::Row, Loop::Tile, Loop::Col}};
  std::mt19937_64 rng(20240612);
  int tiled = 0, spills = 0;
  for (int i = 0; i < 600; ++i) {
    const arch::ArchSpec a = testing::random_arch(rng, false, false);
    const workload::Layer layer = testing::random_layer(rng, i);
    if (layer.gemm.groups == 0) continue;
    const SystolicShape shape = systolic_shape(a.pe_array.dataflow, layer.gemm.m, layer.gemm.k, layer.gemm.n);
    const bool os = a.pe_array.dataflow == arch::Dataflow::OutputStationary;
    const std::int64_t tile = os ? shape.t : testing::uniform(rng, 1, shape.t);
    const LoopNest nest{kOrders[testing::uniform(rng, 0, 5)], tile, (shape.t + tile - 1) / tile};
    const Mapping mp = map_layer_with(a, layer, nest);
    SCOPED_TRACE(describe(mp));
    expect_folds_add_up(mp, layer);
    std::int64_t weight_bytes = 0, input_bytes = 0;
    for (std::int64_t f = 0; f < mp.folds(); ++f) {
      const FoldWork w = fold_work(mp, f);
      for (int j = 0; j < w.loads.count; ++j) {
        const Transfer& x = w.loads.items[static_cast<std::size_t>(j)];
        if (x.operand == Operand::Weight) weight_bytes += x.bytes;
        if (x.operand == Operand::Input) input_bytes += x.bytes;
      }
    }
    EXPECT_EQ(weight_bytes, mp.groups * mp.weights.dram_bytes * mp.weights.dram_fetches);
    EXPECT_EQ(input_bytes, mp.groups * mp.inputs.dram_bytes * mp.inputs.dram_fetches);
    tiled += mp.plan_as<SystolicPlan>().nest.tiles > 1 ? 1 : 0;
    spills += mp.psum_spill ? 1 : 0;
  }
  EXPECT_GT(tiled, 100);
  EXPECT_GT(spills, 10);
}

TEST(FoldPlan, EveryByteIsLoadedOnceWhenEverythingIsResident) {
  const auto layer = testing::conv_layer("c", 14, 14, 3, 3, 32, 48, 1);
  for (auto df : {arch::Dataflow::WeightStationary, arch::Dataflow::OutputStationary,
                  arch::Dataflow::InputStationary, arch::Dataflow::RowStationary,
                  arch::Dataflow::AdderTree}) {
    const Mapping mp = map_layer(testing::make_arch(8, 8, df), layer);
    EXPECT_TRUE(mp.inputs.resident && mp.weights.resident && mp.outputs.resident);
    EXPECT_EQ(mp.dram_read_bytes, 32 * 14 * 14 + 48 * 32 * 9);
    EXPECT_EQ(mp.dram_write_bytes, 48 * 12 * 12);
    EXPECT_EQ(sum_folds(mp).read_bytes, mp.dram_read_bytes);
  }
}

TEST(FoldPlan, WsRereadsInputsPerColumnFoldWhenTheyDoNotFit) {
  auto a = testing::make_arch(8, 8, arch::Dataflow::WeightStationary);
  a.input_buffer.size_kib = 1;  // 512 B usable, the 14x14x32 ifmap is 6272 B
  const auto layer = testing::conv_layer("c", 14, 14, 3, 3, 32, 48, 1);
  const Mapping mp = map_layer(a, layer, MapperOptions::scalesim_nest_only());  // SCALE-Sim's nest
  EXPECT_FALSE(mp.inputs.resident);
  EXPECT_EQ(mp.inputs.dram_fetches, 6);  // ceil(48 / 8) column folds
  EXPECT_EQ(mp.dram_read_bytes, 6 * 6272 + 48 * 32 * 9);
  // The mapper swaps the fold loops instead: a row fold's inputs (a 1/36 share) stay while the
  // column folds pass, and the 144 x 48 int32 partial sums fit the output buffer. Same compute
  // cycles (ideal memory), each byte read once.
  const Mapping best = map_layer(a, layer);
  EXPECT_EQ(best.compute_cycles, mp.compute_cycles);
  EXPECT_EQ(best.inputs.dram_fetches, 1);
  EXPECT_FALSE(best.psum_spill);
  EXPECT_EQ(best.dram_read_bytes, 6272 + 48 * 32 * 9);
  EXPECT_EQ(best.plan_as<SystolicPlan>().nest.order[0], Loop::Row);
}

TEST(FoldPlan, PartialSumsSpillAtAccumulatorWidth) {
  auto a = testing::make_arch(8, 8, arch::Dataflow::WeightStationary);
  a.output_buffer.size_kib = 0.5;  // 256 B usable: 144 x 8 int32 psums (4608 B) do not fit
  const auto layer = testing::conv_layer("c", 14, 14, 3, 3, 32, 48, 1);
  const Mapping mp = map_layer(a, layer);
  ASSERT_TRUE(mp.psum_spill);
  const std::int64_t psum_bytes = 144 * 48 * 4;  // m * n int32
  const std::int64_t row_folds = 36;             // ceil(288 / 8)
  EXPECT_EQ(mp.dram_write_bytes, 144 * 48 + (row_folds - 1) * psum_bytes);
  EXPECT_EQ(mp.dram_read_bytes, 6272 + 13824 + (row_folds - 1) * psum_bytes);
}

}  // namespace
}  // namespace qarch::mapping
