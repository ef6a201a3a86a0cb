// DRAM and buffer effects: narrower operands move fewer bytes and stall less; double buffering
// hides loads; ideal memory never stalls.

#include <gtest/gtest.h>

#include "config/document.hpp"
#include "mapping/mapping.hpp"
#include "sim_helpers.hpp"
#include "workload/network.hpp"

namespace qarch::sim {
namespace {

workload::Network small_cnn() {
  return testing::network_of({testing::conv_layer("conv1", 34, 34, 3, 3, 16, 32, 1),
                              testing::conv_layer("conv2", 32, 32, 3, 3, 32, 64, 2),
                              testing::pool_layer("pool", 64, 15, 15, 2, 2),
                              testing::conv_layer("conv3", 9, 9, 3, 3, 64, 128, 1),
                              testing::fc_layer("fc", 128 * 7 * 7, 100)});
}

// Buffers whose ports never hold the array: the stalls these tests compare are DRAM's.
arch::ArchSpec with_wide_ports(arch::ArchSpec a) {
  for (arch::BufferSpec* b : {&a.weight_buffer, &a.input_buffer, &a.output_buffer}) {
    b->banks = 16;
    b->ports = 4;
  }
  return a;
}

std::int64_t total(const std::vector<LayerStats>& s, std::int64_t LayerStats::*field) {
  std::int64_t sum = 0;
  for (const auto& l : s) sum += l.*field;
  return sum;
}

TEST(Memory, HalvingOperandWidthLowersDramBytesAndStalls) {
  auto a8 = with_wide_ports(testing::make_arch(16, 16, arch::Dataflow::WeightStationary, false, "int8", "int8"));
  auto a4 = with_wide_ports(testing::make_arch(16, 16, arch::Dataflow::WeightStationary, false, "int4", "int4"));
  for (auto* a : {&a8, &a4}) {
    a->input_buffer.size_kib = a->weight_buffer.size_kib = 32;
    a->output_buffer.size_kib = 512;          // int32 partial sums never spill
    a->memory.dram.channels = 1;  // one 16-bit LPDDR4 channel, 6.4 GB/s: DRAM dominates
  }
  const auto net = small_cnn();
  // SCALE-Sim's nest for both: the mapper would tile each width differently.
  const auto scalesim = mapping::MapperOptions::scalesim_nest_only();
  const auto r = simulate_jobs({Job{a8, net, Engine::Fast, scalesim}, Job{a4, net, Engine::Fast, scalesim}});
  for (std::size_t i = 0; i < net.layers.size(); ++i) {
    SCOPED_TRACE(net.layers[i].name);
    EXPECT_EQ(r[1][i].compute_cycles, r[0][i].compute_cycles);  // same array, same folds
    EXPECT_LE(2 * r[1][i].dram_read_bytes, r[0][i].dram_read_bytes + 1);
    EXPECT_LE(2 * r[1][i].dram_write_bytes, r[0][i].dram_write_bytes + 1);
    EXPECT_LT(r[1][i].stall_cycles, r[0][i].stall_cycles);
    EXPECT_LT(r[1][i].input_buffer.read_words, r[0][i].input_buffer.read_words);
  }
  EXPECT_LT(2 * total(r[1], &LayerStats::dram_read_bytes), total(r[0], &LayerStats::dram_read_bytes) + 8);
  EXPECT_LT(total(r[1], &LayerStats::stall_cycles), total(r[0], &LayerStats::stall_cycles) * 3 / 4);
}

TEST(Memory, DoubleBufferingHidesLoadsBehindCompute) {
  auto with = with_wide_ports(testing::make_arch(16, 16, arch::Dataflow::WeightStationary, false));
  auto without = with;
  for (auto* b : {&without.weight_buffer, &without.input_buffer, &without.output_buffer}) {
    b->double_buffered = false;
    b->size_kib /= 2;  // the same usable capacity, so the tiling is identical
  }
  const auto net = small_cnn();
  const auto r = simulate_jobs({Job{with, net, Engine::Fast}, Job{without, net, Engine::Fast}});
  for (std::size_t i = 0; i < net.layers.size(); ++i) {
    SCOPED_TRACE(net.layers[i].name);
    EXPECT_EQ(r[0][i].dram_read_bytes, r[1][i].dram_read_bytes);
    EXPECT_EQ(r[0][i].compute_cycles, r[1][i].compute_cycles);
    // A one-fold layer has nothing to overlap its loads with. (The DRAM's state carries over
    // from the layers before, which ran differently: open rows and the refresh schedule move
    // its timing by a few cycles.)
    if (r[0][i].folds > 1) {
      EXPECT_LT(r[0][i].stall_cycles, r[1][i].stall_cycles);
    } else {
      EXPECT_NEAR(static_cast<double>(r[0][i].stall_cycles), static_cast<double>(r[1][i].stall_cycles),
                  0.01 * static_cast<double>(r[1][i].stall_cycles) + 2);
    }
  }
  EXPECT_LT(total(r[0], &LayerStats::stall_cycles), total(r[1], &LayerStats::stall_cycles));
}

TEST(Memory, IdealMemoryNeverStallsButStillCountsTraffic) {
  const auto a = testing::make_arch(16, 16, arch::Dataflow::OutputStationary, true);
  const auto stats = simulate(a, small_cnn());
  for (const auto& s : stats) {
    EXPECT_EQ(s.stall_cycles, 0) << s.name;
    EXPECT_GT(s.dram_read_bytes, 0) << s.name;
    EXPECT_GT(s.dram_row_misses, 0) << s.name;
    EXPECT_EQ(s.dram_row_hits + s.dram_row_misses, s.dram_bursts) << s.name;
  }
}

TEST(Memory, HbmStallsLessThanLpddr4) {
  auto lp = testing::make_arch(16, 16, arch::Dataflow::WeightStationary, false);
  auto hbm = lp;
  hbm.memory.dram = arch::load_dram_device(arch::default_models_dir(), "hbm2");
  const auto net = small_cnn();
  // The same mapping (SCALE-Sim's nest) on both: the same traffic, fewer stalls on HBM. With the
  // mapper, each DRAM gets its own mappings (the bandwidth enters the estimate), and HBM is still
  // faster.
  const auto scalesim = mapping::MapperOptions::scalesim_nest_only();
  const auto r = simulate_jobs({Job{lp, net, Engine::Fast, scalesim}, Job{hbm, net, Engine::Fast, scalesim},
                                Job{lp, net, Engine::Fast}, Job{hbm, net, Engine::Fast}});
  EXPECT_LT(total(r[1], &LayerStats::stall_cycles), total(r[0], &LayerStats::stall_cycles));
  EXPECT_EQ(total(r[1], &LayerStats::dram_read_bytes), total(r[0], &LayerStats::dram_read_bytes));
  EXPECT_LT(total(r[3], &LayerStats::total_cycles), total(r[2], &LayerStats::total_cycles));
}

TEST(Memory, MapperTilesInsteadOfSpillingOnATpuLikePointWithASmallOutputBuffer) {
  // configs/tpu-like.yaml with a 256 KiB output buffer (128 KiB usable): SCALE-Sim's nest keeps
  // m x 32 int32 partial sums per column fold (1.6 MB for conv1) and spills them between row
  // folds; the mapper tiles m (or reorders the folds) so they stay on chip. The first 12 layers
  // of ResNet-50 (conv1 to layer1_1), simulated both ways; each layer through DRAM, as
  // map_layer maps it (no fusion, and their weights, which would fit, not resident).
  const auto a = arch::load_arch(std::string(QARCH_SOURCE_DIR) + "/configs/tpu-like.yaml",
                                 {config::Override::parse("buffers.output.size_kib=256"),
                                  config::Override::parse("memory.fuse_layers=false"),
                                  config::Override::parse("memory.weights_resident=false")});
  auto net = workload::load_network(std::string(QARCH_SOURCE_DIR) + "/workloads/resnet50.yaml");
  net.layers.resize(12);
  const auto r = simulate_jobs({Job{a, net, Engine::Fast, mapping::MapperOptions::scalesim_nest_only()},
                                Job{a, net, Engine::Fast}});
  int spilled = 0;
  for (std::size_t i = 0; i < net.layers.size(); ++i) {
    SCOPED_TRACE(net.layers[i].name);
    const mapping::Mapping scalesim = mapping::map_layer(a, net.layers[i], mapping::MapperOptions::scalesim_nest_only());
    const mapping::Mapping best = mapping::map_layer(a, net.layers[i]);
    EXPECT_FALSE(best.psum_spill);
    EXPECT_EQ(r[1][i].dram_read_bytes, best.dram_read_bytes);
    EXPECT_EQ(r[0][i].dram_read_bytes, scalesim.dram_read_bytes);
    EXPECT_LE(r[1][i].dram_read_bytes + r[1][i].dram_write_bytes,
              r[0][i].dram_read_bytes + r[0][i].dram_write_bytes);
    if (scalesim.psum_spill) {
      ++spilled;
      EXPECT_LT(r[1][i].stall_cycles, r[0][i].stall_cycles);
      EXPECT_LT(r[1][i].total_cycles, r[0][i].total_cycles);
    }
  }
  EXPECT_GE(spilled, 4);
  EXPECT_LT(2 * total(r[1], &LayerStats::dram_write_bytes), total(r[0], &LayerStats::dram_write_bytes));
  EXPECT_LT(2 * total(r[1], &LayerStats::total_cycles), total(r[0], &LayerStats::total_cycles));
}

}  // namespace
}  // namespace qarch::sim
