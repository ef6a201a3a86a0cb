// The mapper priced by the cost model (mapper_energy.hpp): every candidate is priced as
// layer_cost() prices the layer mapped with its nest, and on ResNet-50 the energy objective's
// mappings cost less than the cycles objective's under that same price, layer by layer.

#include <gtest/gtest.h>

#include "arch/layer_formats.hpp"
#include "cost/layer_cost.hpp"
#include "cost/mapper_energy.hpp"
#include "cost_test_support.hpp"
#include "mapping/mapping.hpp"
#include "mapping/systolic_dataflow.hpp"
#include "workload/network.hpp"

namespace qarch::cost {
namespace {

using testing::models_dir;
using testing::preset;

// The price of `mp` as the report would compute it from closed-form actions lasting `cycles`.
double priced(const CostModel& m, const workload::Layer& layer, const mapping::Mapping& mp, std::int64_t cycles) {
  LayerActions a = actions_from(m.arch, mp, arch::resolve_formats(m.arch, layer));
  a.cycles = cycles + 1;
  return layer_cost(a, m).total_pj;
}

TEST(MapperEnergy, CandidatesArePricedByTheCostModel) {
  arch::ArchSpec a = preset("tpu-like");
  a.mapper.objective = arch::MapperObjective::Energy;
  const CostModel m = load_cost_model(models_dir(), a);
  const workload::Network net = workload::load_network(testing::workload_path("resnet50"));
  const workload::Layer& conv1 = net.layers.front();
  const mapping::Search s = mapping::search_layer(a, conv1, mapper_options(m));
  ASSERT_GT(s.candidates.size(), 100u);
  for (std::size_t i = 0; i < s.candidates.size(); i += 37) {
    const mapping::Candidate& c = s.candidates[i];
    const mapping::Mapping mp = mapping::map_layer_with(a, conv1, c.nest);
    EXPECT_DOUBLE_EQ(c.energy_pj, priced(m, conv1, mp, c.estimate.total_cycles));
  }
}

TEST(MapperEnergy, EnergyObjectiveCostsNoMoreThanCyclesObjectiveOnResNet50) {
  arch::ArchSpec by_cycles = preset("tpu-like");
  arch::ArchSpec by_energy = by_cycles;
  by_energy.mapper.objective = arch::MapperObjective::Energy;
  const CostModel m = load_cost_model(models_dir(), by_energy);
  const mapping::MapperOptions options = mapper_options(m);
  const workload::Network net = workload::load_network(testing::workload_path("resnet50"));
  double total_cycles_objective = 0, total_energy_objective = 0;
  int cheaper = 0;
  for (const workload::Layer& layer : net.layers) {
    const mapping::Mapping c = mapping::map_layer(by_cycles, layer);
    const mapping::Mapping e = mapping::map_layer(by_energy, layer, options);
    const double pc = priced(m, layer, c, c.estimate.total_cycles);
    const double pe = priced(m, layer, e, e.estimate.total_cycles);
    EXPECT_LE(pe, pc) << layer.name;
    EXPECT_GE(e.estimate.total_cycles, c.estimate.total_cycles) << layer.name;
    cheaper += pe < pc ? 1 : 0;
    total_cycles_objective += pc;
    total_energy_objective += pe;
  }
  EXPECT_GT(cheaper, 10);
  EXPECT_LT(total_energy_objective, 0.95 * total_cycles_objective);
}

}  // namespace
}  // namespace qarch::cost
