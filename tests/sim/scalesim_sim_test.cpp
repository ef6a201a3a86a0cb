// SCALE-Sim compatibility through the whole simulator: with ideal memory, every layer's
// compute_cycles equals SCALE-Sim v2's Total - Stall, for its ResNet-50 topology file (loaded by
// workload::load_network) in ws, os and is, and for a topology with a depthwise "DP" layer.

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "sim_helpers.hpp"
#include "workload/network.hpp"

namespace qarch::sim {
namespace {

const std::string kData = std::string(QARCH_SOURCE_DIR) + "/tests/data/scalesim-v2-resnet50/";

// SCALE-Sim's cycles for one (m x k).(k x n) product, written out independently of mapping/.
std::int64_t scalesim_cycles(arch::Dataflow df, int rows, int cols, const workload::Gemm& g) {
  std::int64_t sr = g.k, sc = g.n, t = g.m;
  if (df == arch::Dataflow::OutputStationary) sr = g.m, sc = g.n, t = g.k;
  if (df == arch::Dataflow::InputStationary) sr = g.k, sc = g.m, t = g.n;
  const std::int64_t folds = ((sr + rows - 1) / rows) * ((sc + cols - 1) / cols);
  const std::int64_t per_fold = df == arch::Dataflow::OutputStationary ? t + rows + cols - 2
                                                                       : 2 * rows + cols + t - 2;
  return folds * per_fold - 1;
}

TEST(ScaleSim, ResNet50ComputeCyclesMatchReportsInAllDataflows) {
  const workload::Network net = workload::load_network(kData + "Resnet50.csv");
  ASSERT_EQ(net.layers.size(), 54u);
  const arch::Dataflow flows[] = {arch::Dataflow::WeightStationary,
                                  arch::Dataflow::OutputStationary,
                                  arch::Dataflow::InputStationary};
  const char* names[] = {"ws", "os", "is"};
  std::vector<Job> jobs;
  for (auto df : flows) jobs.push_back(Job{testing::make_arch(32, 32, df), net, Engine::Fast});
  const auto results = simulate_jobs(jobs);
  for (int d = 0; d < 3; ++d) {
    const auto report = testing::read_csv(kData + "32x32_" + names[d] + "_COMPUTE_REPORT.csv");
    ASSERT_EQ(results[static_cast<std::size_t>(d)].size(), 54u);
    for (std::size_t i = 0; i < 54; ++i) {
      const LayerStats& s = results[static_cast<std::size_t>(d)][i];
      SCOPED_TRACE(std::string(names[d]) + " " + s.name);
      EXPECT_EQ(s.compute_cycles, std::stoll(report[i + 1][1]) - std::stoll(report[i + 1][2]));
      EXPECT_EQ(s.stall_cycles, 0);
      EXPECT_EQ(s.total_cycles, s.compute_cycles);
      EXPECT_NEAR(s.mapping_efficiency * 100, std::stod(report[i + 1][4]), 1e-9);
      // SCALE-Sim's "Overall Util %" is MACs / (total cycles * PEs).
      EXPECT_NEAR(s.utilization * 100, std::stod(report[i + 1][3]), 1e-9);
    }
  }
}

TEST(ScaleSim, DepthwiseTopologyIsSplitIntoOneChannelLayersThatMatchTheClosedForm) {
  const std::string path = std::string(QARCH_BINARY_DIR) + "/dp_topology_test.csv";
  {
    std::ofstream out(path);
    out << "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, "
           "Num Filter, Strides,\n"
        << "Conv0,34,34,3,3,3,16,2,\n"
        << "DP1,18,18,3,3,16,16,1,\n"
        << "PW1,16,16,1,1,16,32,1,\n";
  }
  const workload::Network net = workload::load_network(path);
  std::remove(path.c_str());
  ASSERT_EQ(net.layers.size(), 1u + 16u + 1u);
  const auto a = testing::make_arch(8, 8, arch::Dataflow::WeightStationary);
  const auto stats = simulate(a, net);
  ASSERT_EQ(stats.size(), net.layers.size());
  for (std::size_t i = 0; i < stats.size(); ++i) {
    const auto& g = net.layers[i].gemm;
    SCOPED_TRACE(net.layers[i].name);
    EXPECT_EQ(g.groups, 1);
    EXPECT_EQ(stats[i].compute_cycles, scalesim_cycles(a.pe_array.dataflow, 8, 8, g));
  }
  // A DP channel: one 3x3 one-channel window, all 16 filters (as SCALE-Sim expands it).
  EXPECT_EQ(net.layers[1].gemm.k, 9);
  EXPECT_EQ(net.layers[1].gemm.n, 16);
}

}  // namespace
}  // namespace qarch::sim
