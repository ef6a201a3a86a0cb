// The mapper: its choice is optimal under its own estimate (checked against every tile size and
// loop order, not just the candidates it enumerates), it keeps SCALE-Sim's cycles with ideal
// memory, more buffer capacity and narrower formats never make it worse, and on a TPU-like point
// with a small output buffer it tiles m instead of spilling partial sums.

#include <gtest/gtest.h>

#include <cstdio>
#include <tuple>

#include "arch/arch_spec.hpp"
#include "mapping/mapping.hpp"
#include "mapping/systolic_dataflow.hpp"
#include "test_layers.hpp"
#include "workload/network.hpp"

namespace qarch::mapping {
namespace {

using arch::Dataflow;

const std::array<Loop, 3> kOrders[] = {
    {Loop::Col, Loop::Tile, Loop::Row}, {Loop::Tile, Loop::Col, Loop::Row},
    {Loop::Col, Loop::Row, Loop::Tile}, {Loop::Row, Loop::Col, Loop::Tile},
    {Loop::Tile, Loop::Row, Loop::Col}, {Loop::Row, Loop::Tile, Loop::Col}};

auto key(const Estimate& e) { return std::make_tuple(e.total_cycles, e.dram_bytes, e.compute_cycles); }

std::string show(const Estimate& e) {
  return std::to_string(e.total_cycles) + " total, " + std::to_string(e.dram_bytes) + " B, " +
         std::to_string(e.compute_cycles) + " compute";
}

TEST(Mapper, ChoiceIsOptimalOverEveryTileSizeAndLoopOrder) {
  std::mt19937_64 rng(7);
  int layers = 0, tiled = 0, reordered = 0;
  for (int i = 0; i < 800; ++i) {
    const arch::ArchSpec a = testing::random_arch(rng, i % 4 == 0, false);
    // Half small layers of every kind, half convs with up to 32 x 32 outputs (long streams).
    const int r = static_cast<int>(testing::uniform(rng, 1, 3));
    const workload::Layer layer =
        i % 2 == 0 ? testing::random_layer(rng, i)
                   : testing::conv_layer("C" + std::to_string(i), testing::uniform(rng, 8, 34),
                                         testing::uniform(rng, 8, 34), r, r, testing::uniform(rng, 1, 32),
                                         testing::uniform(rng, 1, 64), 1);
    if (layer.gemm.groups == 0) continue;
    const Mapping chosen = map_layer(a, layer);
    SCOPED_TRACE(describe(chosen));
    // With a global buffer the mapper searched under its chosen split.
    const arch::ArchSpec view = a.has_global_buffer() ? tiling_view(a, chosen.split) : a;
    const SystolicProblem p = systolic_problem(view, layer);
    EXPECT_EQ(key(evaluate(view, p, chosen.plan_as<SystolicPlan>().nest).estimate), key(chosen.estimate));
    const std::int64_t t = p.shape.t;
    // Unbalanced tilings too: tile sizes 1..t, the last tile shorter. os never tiles k.
    const std::int64_t smallest_tile = a.pe_array.dataflow == Dataflow::OutputStationary ? t : 1;
    for (const auto& order : kOrders) {
      for (std::int64_t tile = smallest_tile; tile <= t; ++tile) {
        const LoopNest nest{order, tile, (t + tile - 1) / tile};
        const Candidate c = evaluate(view, p, nest);
        EXPECT_LE(key(chosen.estimate), key(c.estimate))
            << to_string(nest, p.dataflow) << " estimates " << show(c.estimate) << ", chosen "
            << show(chosen.estimate);
      }
    }
    ++layers;
    tiled += chosen.plan_as<SystolicPlan>().nest.tiles > 1 ? 1 : 0;
    reordered += chosen.plan_as<SystolicPlan>().nest.order != scalesim_nest(t).order ? 1 : 0;
  }
  EXPECT_GT(layers, 700);
  std::printf("%d layers: %d tiled, %d reordered\n", layers, tiled, reordered);
  EXPECT_GT(tiled, 40);  // the random points exercise tiling and reordering
  EXPECT_GT(reordered, 100);
}

TEST(Mapper, IdealMemoryKeepsScaleSimComputeCycles) {
  std::mt19937_64 rng(8);
  for (int i = 0; i < 400; ++i) {
    const arch::ArchSpec a = testing::random_arch(rng, true, false);
    const workload::Layer layer = testing::random_layer(rng, i);
    if (layer.gemm.groups == 0) continue;
    const Mapping mp = map_layer(a, layer);
    SCOPED_TRACE(describe(mp));
    EXPECT_EQ(mp.plan_as<SystolicPlan>().nest.tiles, 1);
    const SystolicFigures f = systolic_figures(a.pe_array.dataflow, a.pe_array.rows,
                                               a.pe_array.cols, mp.m, mp.k, mp.n);
    EXPECT_EQ(mp.compute_cycles, mp.groups * (f.compute_cycles + 1) - 1);
    EXPECT_EQ(mp.accesses.weight_reads, mp.groups * f.accesses.weight_reads);
    EXPECT_EQ(mp.accesses.input_reads, mp.groups * f.accesses.input_reads);
    EXPECT_EQ(mp.estimate.total_cycles, mp.compute_cycles);
    // Never more DRAM traffic than SCALE-Sim's nest.
    const Mapping scalesim = map_layer(a, layer, MapperOptions::scalesim_nest_only());
    EXPECT_LE(mp.dram_read_bytes + mp.dram_write_bytes,
              scalesim.dram_read_bytes + scalesim.dram_write_bytes);
  }
}

// `change` makes the design point more capable (more capacity, narrower formats). With ideal
// memory the chosen mapping's DRAM bytes never grow (the compute cycles are fixed, so DRAM bytes
// decide); with DRAM the estimated total never grows, nor do the fewest DRAM bytes any candidate
// needs.
template <typename Change>
void expect_never_worse(std::uint64_t seed, Change change) {
  std::mt19937_64 rng(seed);
  int improved = 0;
  for (int i = 0; i < 300; ++i) {
    const bool ideal = i % 2 == 0;
    const arch::ArchSpec a = testing::random_arch(rng, ideal, false);
    const workload::Layer layer = testing::random_layer(rng, i);
    if (layer.gemm.groups == 0) continue;
    arch::ArchSpec b = a;
    change(b);
    const Mapping ma = map_layer(a, layer), mb = map_layer(b, layer);
    SCOPED_TRACE(describe(ma) + describe(mb));
    const std::int64_t bytes_a = ma.dram_read_bytes + ma.dram_write_bytes;
    const std::int64_t bytes_b = mb.dram_read_bytes + mb.dram_write_bytes;
    EXPECT_LE(mb.estimate.total_cycles, ma.estimate.total_cycles);
    if (ideal) {
      EXPECT_EQ(mb.compute_cycles, ma.compute_cycles);
      EXPECT_LE(bytes_b, bytes_a);
    }
    const auto fewest_bytes = [&](const arch::ArchSpec& x) {
      std::int64_t fewest = -1;
      for (const Candidate& c : search_layer(x, layer).candidates)
        if (fewest < 0 || c.estimate.dram_bytes < fewest) fewest = c.estimate.dram_bytes;
      return fewest;
    };
    EXPECT_LE(fewest_bytes(b), fewest_bytes(a));
    improved += bytes_b < bytes_a ? 1 : 0;
  }
  EXPECT_GT(improved, 10);
}

TEST(Mapper, BiggerOutputBufferNeverIncreasesDramBytes) {
  expect_never_worse(9, [](arch::ArchSpec& a) { a.output_buffer.size_kib *= 4; });
}

TEST(Mapper, BiggerInputAndWeightBuffersNeverIncreaseDramBytes) {
  expect_never_worse(10, [](arch::ArchSpec& a) {
    a.input_buffer.size_kib *= 4;
    a.weight_buffer.size_kib *= 4;
  });
}

TEST(Mapper, NarrowerAccumulatorNeverIncreasesDramBytes) {
  expect_never_worse(11, [](arch::ArchSpec& a) {
    a.pe_array.accumulator_format = numerics::Format::parse("int16");
  });
}

TEST(Mapper, NarrowerOperandsNeverIncreaseDramBytes) {
  expect_never_worse(12, [](arch::ArchSpec& a) {
    for (numerics::Format* f : {&a.pe_array.weight_format, &a.pe_array.activation_format})
      if (f->bits() > 2) *f = numerics::Format::parse("int" + std::to_string(f->bits() / 2));
  });
}

arch::ArchSpec tpu_like(std::vector<std::string> sets) {
  std::vector<config::Override> overrides;
  for (const auto& s : sets) overrides.push_back(config::Override::parse(s));
  return arch::load_arch(std::string(QARCH_SOURCE_DIR) + "/configs/tpu-like.yaml", overrides);
}

TEST(Mapper, TpuLikeWithSmallOutputBufferTilesMInsteadOfSpilling) {
  // 256 KiB of output buffer (128 KiB usable): SCALE-Sim's nest keeps m x 32 int32 partial sums
  // per column fold, up to 12544 x 32 x 4 B = 1.6 MB, so the large layers spill between row folds.
  const arch::ArchSpec a = tpu_like({"buffers.output.size_kib=256"});
  const arch::ArchSpec ideal = tpu_like({"buffers.output.size_kib=256", "memory.ideal=true"});
  const auto net = workload::load_network(std::string(QARCH_SOURCE_DIR) + "/workloads/resnet50.yaml");
  int spilled = 0, tiled = 0;
  std::int64_t bytes_scalesim = 0, bytes_mapper = 0;
  for (const workload::Layer& layer : net.layers) {
    if (layer.gemm.groups == 0) continue;
    const Mapping scalesim = map_layer(a, layer, MapperOptions::scalesim_nest_only());
    const Mapping best = map_layer(a, layer);
    SCOPED_TRACE(describe(scalesim) + describe(best));
    EXPECT_FALSE(best.psum_spill);  // a tile of m always fits here
    EXPECT_LE(best.estimate.total_cycles, scalesim.estimate.total_cycles);
    bytes_scalesim += scalesim.dram_read_bytes + scalesim.dram_write_bytes;
    bytes_mapper += best.dram_read_bytes + best.dram_write_bytes;
    if (scalesim.psum_spill) {
      ++spilled;
      EXPECT_LT(best.dram_read_bytes + best.dram_write_bytes,
                scalesim.dram_read_bytes + scalesim.dram_write_bytes);
      EXPECT_LT(best.estimate.total_cycles, scalesim.estimate.total_cycles);
      tiled += best.plan_as<SystolicPlan>().nest.tiles > 1 ? 1 : 0;
    }
    // Ideal memory: tiling would only add fills and drains, so the mapper keeps SCALE-Sim's
    // cycles, spill or not.
    const Mapping untiled = map_layer(ideal, layer);
    EXPECT_EQ(untiled.plan_as<SystolicPlan>().nest.tiles, 1);
    EXPECT_EQ(untiled.compute_cycles, scalesim.compute_cycles);
  }
  EXPECT_GE(spilled, 10);
  EXPECT_GE(tiled, 5);
  EXPECT_LT(bytes_mapper * 2, bytes_scalesim);
}

TEST(Mapper, SearchListsCandidatesAndExplainsTheWinner) {
  const arch::ArchSpec a = tpu_like({"buffers.output.size_kib=256"});
  const auto layer = testing::conv_layer("conv1", 230, 230, 7, 7, 3, 64, 2);
  const Search s = search_layer(a, layer);
  ASSERT_GT(s.candidates.size(), 100u);
  EXPECT_EQ(s.considered, s.candidates.size());
  EXPECT_EQ(s.candidates[0].nest, scalesim_nest(113 * 113));
  EXPECT_TRUE(s.candidates[0].psum_spill);
  for (const Candidate& c : s.candidates) EXPECT_FALSE(ranks_before(c, s.candidates[s.chosen], a.mapper.objective));
  const Mapping mp = map_layer(a, layer);
  EXPECT_EQ(mp.plan_as<SystolicPlan>().nest, s.candidates[s.chosen].nest);
  EXPECT_EQ(mp.candidates, static_cast<std::int64_t>(s.considered));
  const std::string text = describe_search(s, 5);
  EXPECT_NE(text.find(std::to_string(s.considered) + " candidates"), std::string::npos) << text;
  EXPECT_NE(text.find("chosen: " + to_string(mp.plan_as<SystolicPlan>().nest, Dataflow::WeightStationary)), std::string::npos) << text;
  EXPECT_NE(text.find("over SCALE-Sim's nest: fewer estimated total cycles"), std::string::npos) << text;
  EXPECT_NE(describe(mp).find("m_tile("), std::string::npos);
}

TEST(Mapper, NoSearchGivesScaleSimsNest) {
  const arch::ArchSpec a = tpu_like({"buffers.output.size_kib=256"});
  const auto layer = testing::conv_layer("conv1", 230, 230, 7, 7, 3, 64, 2);
  const Mapping mp = map_layer(a, layer, MapperOptions::scalesim_nest_only());
  EXPECT_EQ(mp.plan_as<SystolicPlan>().nest, scalesim_nest(113 * 113));
  EXPECT_EQ(mp.candidates, 1);
  EXPECT_EQ(mp.loop_order, "group > col_fold(n) > row_fold(k) > stream(m)");
  EXPECT_TRUE(mp.psum_spill);
}

}  // namespace
}  // namespace qarch::mapping
