// The mapper's objectives energy and edp, with a stand-in price (the cost model's own price is
// tested in tests/unit/cost/mapper_energy_test.cpp): the chosen nest minimizes the objective over
// every candidate, each candidate is priced as map_layer_with() maps it, a price of cycles alone
// chooses what the cycles objective chooses, and a missing price is a clear error.

#include <gtest/gtest.h>

#include <random>
#include <stdexcept>

#include "arch/arch_spec.hpp"
#include "mapping/mapping.hpp"
#include "mapping/systolic_dataflow.hpp"
#include "test_layers.hpp"

namespace qarch::mapping {
namespace {

using arch::MapperObjective;

// pJ per DRAM byte and per cycle: a stand-in for the cost model's DRAM and leakage prices.
EnergyOfMapping linear_price(double per_dram_byte, double per_cycle) {
  return [=](const Mapping& mp, std::int64_t cycles) {
    return per_dram_byte * static_cast<double>(mp.dram_read_bytes + mp.dram_write_bytes) +
           per_cycle * static_cast<double>(cycles);
  };
}

MapperOptions priced(EnergyOfMapping price) {
  MapperOptions options;
  options.price_layer = [price = std::move(price)](const workload::Layer&) { return price; };
  return options;
}

double objective_of(const Candidate& c, MapperObjective objective) {
  return objective == MapperObjective::Edp ? c.energy_pj * static_cast<double>(c.estimate.total_cycles)
                                           : c.energy_pj;
}

TEST(MapperObjective, ChoiceMinimizesEnergyOrEdpOverEveryCandidate) {
  std::mt19937_64 rng(11);
  const MapperOptions options = priced(linear_price(20.0, 3.0));
  int layers = 0, differ = 0;
  for (int i = 0; i < 300; ++i) {
    arch::ArchSpec a = testing::random_arch(rng, false, false, false);  // no global buffer: one split
    const workload::Layer layer = testing::random_layer(rng, i);
    if (layer.gemm.groups == 0) continue;
    const MapperObjective objective = i % 2 == 0 ? MapperObjective::Energy : MapperObjective::Edp;
    a.mapper.objective = objective;
    const Search s = search_layer(a, layer, options);
    const Candidate& chosen = s.candidates[s.chosen];
    SCOPED_TRACE(describe_search(s, 3));
    EXPECT_EQ(s.objective, objective);
    for (const Candidate& c : s.candidates) {
      // Priced as the layer mapped with the candidate's nest.
      const Mapping mp = map_layer_with(a, layer, c.nest);
      EXPECT_DOUBLE_EQ(c.energy_pj, options.price_layer(layer)(mp, c.estimate.total_cycles));
      EXPECT_LE(objective_of(chosen, objective), objective_of(c, objective));
    }
    EXPECT_EQ(map_layer(a, layer, options).plan_as<SystolicPlan>().nest, chosen.nest);
    a.mapper.objective = MapperObjective::Cycles;
    differ += map_layer(a, layer).plan_as<SystolicPlan>().nest == chosen.nest ? 0 : 1;
    ++layers;
  }
  EXPECT_GT(layers, 200);
  EXPECT_GT(differ, 10);  // the objectives disagree on some layers
}

TEST(MapperObjective, PricingOnlyCyclesChoosesWhatTheCyclesObjectiveChooses) {
  std::mt19937_64 rng(12);
  for (int i = 0; i < 200; ++i) {
    arch::ArchSpec a = testing::random_arch(rng, false, false, false);  // no global buffer: one split
    const workload::Layer layer = testing::random_layer(rng, i);
    if (layer.gemm.groups == 0) continue;
    const Mapping by_cycles = map_layer(a, layer);
    a.mapper.objective = MapperObjective::Energy;
    EXPECT_EQ(map_layer(a, layer, priced(linear_price(0.0, 1.0))).plan_as<SystolicPlan>().nest, by_cycles.plan_as<SystolicPlan>().nest);
  }
}

TEST(MapperObjective, PricingDramBytesTradesCyclesForTraffic) {
  // conv1 of ResNet-50 on a 32 x 32 ws array with 64 KiB buffers and LPDDR4: SCALE-Sim's nest
  // spills partial sums. Priced by DRAM bytes alone, the mapper takes the nest with the fewest
  // DRAM bytes of all candidates, at the price of some cycles.
  arch::ArchSpec a = testing::make_arch(32, 32, arch::Dataflow::WeightStationary, false);
  const auto layer = testing::conv_layer("conv1", 230, 230, 7, 7, 3, 64, 2);
  const Mapping by_cycles = map_layer(a, layer);
  EXPECT_TRUE(map_layer(a, layer, MapperOptions::scalesim_nest_only()).psum_spill);
  a.mapper.objective = MapperObjective::Energy;
  const MapperOptions options = priced(linear_price(1.0, 0.0));
  const Search s = search_layer(a, layer, options);
  std::int64_t fewest = s.candidates[0].estimate.dram_bytes;
  for (const Candidate& c : s.candidates) fewest = std::min(fewest, c.estimate.dram_bytes);
  const Mapping by_energy = map_layer(a, layer, options);
  EXPECT_EQ(by_energy.dram_read_bytes + by_energy.dram_write_bytes, fewest);
  EXPECT_LE(by_energy.dram_read_bytes + by_energy.dram_write_bytes,
            by_cycles.dram_read_bytes + by_cycles.dram_write_bytes);
  EXPECT_GE(by_energy.estimate.total_cycles, by_cycles.estimate.total_cycles);
  const std::string text = describe_search(s, 3);
  EXPECT_NE(text.find("objective energy"), std::string::npos) << text;
  EXPECT_NE(text.find("energy pJ~"), std::string::npos) << text;
}

TEST(MapperObjective, EnergyWithoutAPriceIsAnErrorUnlessThereIsNoChoice) {
  arch::ArchSpec a = testing::make_arch(8, 8, arch::Dataflow::WeightStationary, false);
  a.mapper.objective = MapperObjective::Edp;
  const auto layer = testing::conv_layer("c", 12, 12, 3, 3, 4, 8, 1);
  try {
    map_layer(a, layer);
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "mapper: objective 'edp' needs the cost model's energy of each candidate");
  }
  EXPECT_EQ(map_layer(a, layer, MapperOptions::scalesim_nest_only()).candidates, 1);
}

}  // namespace
}  // namespace qarch::mapping
