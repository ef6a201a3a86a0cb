// Grouped and depthwise convolution, matmul and layers without MACs.

#include <gtest/gtest.h>

#include "mapping/mapping.hpp"
#include "mapping/systolic_dataflow.hpp"
#include "mapping/vector_unit.hpp"
#include "test_layers.hpp"
#include "workload/shape_inference.hpp"

namespace qarch::mapping {
namespace {

TEST(Grouped, EachGroupIsItsOwnProductRunBackToBack) {
  for (auto df : {arch::Dataflow::WeightStationary, arch::Dataflow::OutputStationary,
                  arch::Dataflow::InputStationary, arch::Dataflow::RowStationary}) {
    const auto a = testing::make_arch(8, 8, df);
    const auto grouped = testing::conv_layer("g", 16, 16, 3, 3, 32, 64, 1, 4);
    const auto one = testing::conv_layer("one", 16, 16, 3, 3, 8, 16, 1);
    const Mapping g = map_layer(a, grouped), o = map_layer(a, one);
    EXPECT_EQ(g.groups, 4);
    EXPECT_EQ(g.compute_cycles + 1, 4 * (o.compute_cycles + 1));
    EXPECT_EQ(g.macs, 4 * o.macs);
    EXPECT_EQ(g.dram_read_bytes, 4 * o.dram_read_bytes);
    EXPECT_DOUBLE_EQ(g.mapping_efficiency, o.mapping_efficiency);
  }
}

TEST(Grouped, DepthwiseOnWsHasOneColumnAndKTapsPerGroup) {
  const auto dw = testing::conv_layer("dw", 16, 16, 3, 3, 32, 32, 1, 32);
  const Mapping mp = map_layer(testing::make_arch(8, 8, arch::Dataflow::WeightStationary), dw);
  EXPECT_EQ(mp.k, 9);
  EXPECT_EQ(mp.n, 1);
  EXPECT_EQ(mp.plan_as<SystolicPlan>().grid.row_folds, 2);
  EXPECT_EQ(mp.plan_as<SystolicPlan>().grid.col_folds, 1);
  EXPECT_EQ(mp.compute_cycles, 32 * 2 * (2 * 8 + 8 + 196 - 2) - 1);
  EXPECT_DOUBLE_EQ(mp.mapping_efficiency, 9.0 / 16.0 / 8.0);
}

// Decode-step attention scores: one token's 32 query heads against a 512-token K cache.
workload::Layer scores_layer(std::int64_t kv_heads) {
  workload::Layer l;
  l.name = "scores";
  l.type = workload::LayerType::Matmul;
  l.inputs = {"q", "k_cache"};
  l.input = {32 * 64, 1, 1};
  l.input_b = {kv_heads * 64, 512, 1};
  l.heads = 32;
  l.kv_heads = kv_heads;
  l.transpose_b = true;
  EXPECT_EQ(workload::infer_shape(l), "");
  return l;
}

TEST(Grouped, GroupedQueryAttentionReadsEachCachedHeadOnce) {
  const auto a = testing::make_arch(16, 16, arch::Dataflow::WeightStationary, false);
  const Mapping mha = map_layer(a, scores_layer(32)), gqa = map_layer(a, scores_layer(8));
  EXPECT_EQ(mha.macs, gqa.macs);
  EXPECT_EQ(mha.groups, 32);
  EXPECT_EQ(gqa.groups, 8);
  // The cache (b, the weights' part) is 4x smaller and read once per cached head.
  EXPECT_EQ(mha.weights.dram_bytes * mha.groups, 32 * 64 * 512);
  EXPECT_EQ(gqa.weights.dram_bytes * gqa.groups, 8 * 64 * 512);
  EXPECT_LT(gqa.dram_read_bytes, mha.dram_read_bytes);
}

TEST(Grouped, MatmulMapsItsProduct) {
  const auto fc = testing::fc_layer("fc", 100, 30, 4);
  const Mapping mp = map_layer(testing::make_arch(8, 8, arch::Dataflow::OutputStationary), fc);
  EXPECT_EQ(mp.plan_as<SystolicPlan>().shape.sr, 4);
  EXPECT_EQ(mp.plan_as<SystolicPlan>().shape.sc, 30);
  EXPECT_EQ(mp.plan_as<SystolicPlan>().shape.t, 100);
  EXPECT_EQ(mp.compute_cycles, 4 * (100 + 8 + 8 - 2) - 1);
  EXPECT_EQ(mp.dram_read_bytes, 100 * 30 + 4 * 100);
}

TEST(VectorUnit, PoolingReadsEveryWindowOnColsLanes) {
  const auto pool = testing::pool_layer("p", 16, 8, 8, 2, 2);  // 16 x 4 x 4 outputs, 2x2 windows
  const Mapping mp = map_layer(testing::make_arch(8, 8, arch::Dataflow::WeightStationary), pool);
  EXPECT_TRUE(mp.vector);
  EXPECT_EQ(mp.unit(), "vector unit");
  EXPECT_EQ(mp.plan_as<VectorPlan>().ops, 16 * 4 * 4 * 4);
  EXPECT_EQ(mp.compute_cycles, 16 * 4 * 4 * 4 / 8 - 1);
  EXPECT_EQ(mp.dram_read_bytes, 16 * 8 * 8);
  EXPECT_EQ(mp.dram_write_bytes, 16 * 4 * 4);
  EXPECT_NE(describe(mp).find("vector unit"), std::string::npos);
}

}  // namespace
}  // namespace qarch::mapping
