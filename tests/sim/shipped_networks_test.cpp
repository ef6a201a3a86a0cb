// Every shipped network (workloads/*.yaml and SCALE-Sim's ResNet-50 topology) on the shipped
// design point in every dataflow: the fast engine against the closed form, and on a small array
// the fast engine against the clocked reference engine.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "config/document.hpp"
#include "arch/enum_names.hpp"
#include "mapping/mapping.hpp"
#include "mapping/systolic_dataflow.hpp"
#include "sim_helpers.hpp"
#include "workload/network.hpp"

namespace qarch::sim {
namespace {

namespace fs = std::filesystem;

std::vector<workload::Network> shipped_networks() {
  std::vector<std::string> paths;
  for (const auto& entry : fs::directory_iterator(std::string(QARCH_SOURCE_DIR) + "/workloads"))
    if (entry.path().extension() == ".yaml") paths.push_back(entry.path().string());
  std::sort(paths.begin(), paths.end());
  paths.push_back(std::string(QARCH_SOURCE_DIR) + "/tests/data/scalesim-v2-resnet50/Resnet50.csv");
  std::vector<workload::Network> nets;
  for (const auto& p : paths) nets.push_back(workload::load_network(p));
  return nets;
}

arch::ArchSpec shipped_arch(const std::vector<std::string>& sets) {
  std::vector<config::Override> overrides;
  for (const auto& s : sets) overrides.push_back(config::Override::parse(s));
  return arch::load_arch(std::string(QARCH_SOURCE_DIR) + "/configs/tpu-like.yaml", overrides);
}

// SCALE-Sim's cycles for `groups` products run back to back, independent of mapping/.
std::int64_t systolic_cycles(const std::string& df, int rows, int cols, const workload::Gemm& g) {
  std::int64_t sr = g.k, sc = g.n, t = g.m;
  if (df == "os") sr = g.m, sc = g.n, t = g.k;
  if (df == "is") sr = g.k, sc = g.m, t = g.n;
  const std::int64_t folds = ((sr + rows - 1) / rows) * ((sc + cols - 1) / cols);
  const std::int64_t per_fold = df == "os" ? t + rows + cols - 2 : 2 * rows + cols + t - 2;
  return g.groups * folds * per_fold - 1;
}

TEST(ShippedNetworks, FastEngineMatchesTheClosedFormInEveryDataflow) {
  const auto nets = shipped_networks();
  ASSERT_GE(nets.size(), 2u);
  std::vector<Job> jobs;
  std::vector<const workload::Network*> job_nets;
  for (const auto& net : nets) {
    for (const auto& [flow, df] : arch::kDataflowNames) {
      jobs.push_back({shipped_arch({"memory.ideal=true", "pe_array.dataflow=" + std::string(df)}), net,
                      Engine::Fast});
      job_nets.push_back(&net);
    }
    jobs.push_back({shipped_arch({}), net, Engine::Fast});  // LPDDR4 as shipped
    job_nets.push_back(&net);
  }
  const auto results = simulate_jobs(jobs);
  for (std::size_t j = 0; j < jobs.size(); ++j) {
    const auto& a = jobs[j].arch;
    const std::string df(arch::to_string(a.pe_array.dataflow));
    const workload::Network& net = *job_nets[j];
    ASSERT_EQ(results[j].size(), net.layers.size());
    for (std::size_t i = 0; i < results[j].size(); ++i) {
      const workload::Layer& layer = net.layers[i];
      const LayerStats& s = results[j][i];
      const mapping::Mapping& mp = jobs[j].mappings[i];
      SCOPED_TRACE(net.name + " " + df + (a.memory.ideal ? " ideal " : " lpddr4 ") + layer.name);
      EXPECT_EQ(s.macs, layer.macs());
      EXPECT_EQ(s.compute_cycles, mp.compute_cycles);
      if (layer.gemm.groups > 0 && df != "rs" && df != "adder_tree") {
        const std::int64_t scalesim = systolic_cycles(df, a.pe_array.rows, a.pe_array.cols, layer.gemm);
        // Ideal memory: SCALE-Sim's cycles. With DRAM the mapper may tile the stream, which
        // only adds fills and drains.
        if (a.memory.ideal) {
          EXPECT_EQ(s.compute_cycles, scalesim);
        } else {
          EXPECT_GE(s.compute_cycles, scalesim);
          EXPECT_EQ(s.compute_cycles == scalesim, mp.plan_as<mapping::SystolicPlan>().nest.tiles == 1);
        }
      }
      if (layer.gemm.groups > 0 && df == "adder_tree") {  // at least ceil(k / Tn) cycles per output
        const workload::Gemm& g = layer.gemm;
        const std::int64_t rows = a.pe_array.rows, cols = a.pe_array.cols;
        EXPECT_GE(s.compute_cycles + 1, g.groups * ((g.n + cols - 1) / cols) * g.m * ((g.k + rows - 1) / rows));
      }
      EXPECT_EQ(s.dram_read_bytes, mp.dram_read_bytes);
      EXPECT_EQ(s.dram_write_bytes, mp.dram_write_bytes);
      if (a.memory.ideal) {
        EXPECT_EQ(s.stall_cycles, 0);
      } else {
        EXPECT_GE(s.stall_cycles, 0);
      }
    }
  }
}

TEST(ShippedNetworks, EnginesAgreeOnASmallArray) {
  // The reference engine moves every PE every cycle, so each network is cut down to the layers
  // that are cheap on a 4x4 array (whole networks when they are small), within a budget.
  const std::int64_t layer_budget_cycles = 400'000;
  std::vector<Job> jobs;
  std::vector<std::string> job_names;
  std::size_t layers_checked = 0;
  for (const auto& net : shipped_networks()) {
    for (const auto& [flow, df] : arch::kDataflowNames) {
      const auto a = shipped_arch({"pe_array.rows=4", "pe_array.cols=4", "pe_array.dataflow=" + std::string(df)});
      workload::Network cut = net;
      cut.layers.clear();
      std::int64_t cycles = 0, cheapest = -1;
      const workload::Layer* cheapest_layer = nullptr;
      for (const auto& layer : net.layers) {
        const std::int64_t c = mapping::map_layer(a, layer).compute_cycles + 1;
        if (cheapest < 0 || c < cheapest) cheapest = c, cheapest_layer = &layer;
        if (cycles + c > layer_budget_cycles) continue;
        cycles += c;
        cut.layers.push_back(layer);
      }
      if (cut.layers.empty()) {  // every layer is big: check the smallest one
        std::printf("%s %s: only %s (%lld cycles)\n", net.name.c_str(), std::string(df).c_str(),
                    cheapest_layer->name.c_str(), static_cast<long long>(cheapest));
        cut.layers.push_back(*cheapest_layer);
      }
      layers_checked += cut.layers.size();
      jobs.push_back({a, cut, Engine::Fast});
      jobs.push_back({a, cut, Engine::Reference});
      job_names.push_back(net.name);
    }
  }
  std::printf("%zu layers checked in both engines\n", layers_checked);
  const auto results = simulate_jobs(jobs);
  for (std::size_t j = 0; j < jobs.size(); j += 2) {
    ASSERT_EQ(results[j].size(), jobs[j].mappings.size());
    ASSERT_EQ(results[j + 1].size(), jobs[j].mappings.size());
    for (std::size_t i = 0; i < results[j].size(); ++i) {
      SCOPED_TRACE(job_names[j / 2] + " " + std::string(arch::to_string(jobs[j].arch.pe_array.dataflow)) +
                   " " + results[j][i].name);
      testing::expect_same_stats(results[j][i], results[j + 1][i]);
    }
  }
}

}  // namespace
}  // namespace qarch::sim
