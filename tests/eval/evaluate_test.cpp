// evaluate(): one mapping per layer, shared by the simulator, the cost model and functional
// execution. Checked against the layers below it called on their own.

#include <gtest/gtest.h>

#include "arch/arch_spec.hpp"
#include "arch/layer_formats.hpp"
#include "config/document.hpp"
#include "cost/voltage_scaling.hpp"
#include "workload/yaml_network_loader.hpp"
#include "cost/cost_model.hpp"
#include "cost/mapper_energy.hpp"
#include "eval/evaluate.hpp"
#include "func/functional_run.hpp"
#include "mapping/mapping.hpp"
#include "workload/network.hpp"

namespace qarch::eval {
namespace {

const std::string kSource = QARCH_SOURCE_DIR;

arch::ArchSpec arch_with(const std::string& config, const std::vector<std::string>& sets) {
  std::vector<config::Override> overrides;
  for (const auto& s : sets) overrides.push_back(config::Override::parse(s));
  return arch::load_arch(kSource + "/configs/" + config, overrides);
}

// Under the energy objective the mapper needs the cost model; the cycles the report gives are
// those of the mapping the mapper chose with it, and functional mode (fp32 accumulators, whose
// adds round, so the order matters) gives what it gives on its own: the accumulation order is
// that mapping's.
TEST(Evaluate, SimulatorCostAndFunctionalShareTheMapperChoice) {
  // Buffers of 1 KiB: the mapper tiles the stream where SCALE-Sim's nest would not.
  const arch::ArchSpec a = arch_with("fp8.yaml", {"mapper.objective=energy", "pe_array.rows=8", "pe_array.cols=8",
                                                  "buffers.weight.size_kib=1", "buffers.input.size_kib=1",
                                                  "buffers.output.size_kib=1"});
  const workload::Network net = workload::load_network(kSource + "/workloads/fashion/lenet5.yaml");
  Options o;
  o.models_dir = kSource + "/models";
  o.functional = FunctionalSettings{"", 20, false};
  const report::NetworkResult r = evaluate(a, net, o);

  const cost::CostModel model = cost::load_cost_model(o.models_dir, a);
  const std::vector<mapping::Mapping> chosen = mapping::map_network(a, net, cost::mapper_options(model));
  const std::vector<mapping::Mapping> scalesim =
      mapping::map_network(a, net, mapping::MapperOptions::scalesim_nest_only());
  ASSERT_EQ(r.layers.size(), net.layers.size());
  bool some_layer_differs_from_scalesim = false;
  double energy = 0;
  for (std::size_t i = 0; i < r.layers.size(); ++i) {
    SCOPED_TRACE(net.layers[i].name);
    ASSERT_TRUE(r.layers[i].compute_cycles.has_value());
    EXPECT_EQ(*r.layers[i].compute_cycles, chosen[i].compute_cycles);
    EXPECT_EQ(r.layers[i].dram_read_bytes.value_or(-1), chosen[i].dram_read_bytes);
    some_layer_differs_from_scalesim =
        some_layer_differs_from_scalesim || chosen[i].compute_cycles != scalesim[i].compute_cycles ||
        chosen[i].dram_read_bytes != scalesim[i].dram_read_bytes;
    energy += r.layers[i].energy_pj.value_or(0);
  }
  EXPECT_TRUE(some_layer_differs_from_scalesim) << "the case should exercise the mapper's choice";
  EXPECT_DOUBLE_EQ(r.energy_pj.value_or(0), energy);

  func::FunctionalOptions fo;
  fo.dataset_dir = default_dataset_dir();
  fo.limit = 20;
  const func::FunctionalResult alone = func::run_functional(a, net, chosen, fo);
  ASSERT_TRUE(r.top1.has_value());
  EXPECT_EQ(*r.top1, alone.top1);
  EXPECT_EQ(r.images.value_or(0), 20);
}

TEST(Evaluate, WithoutFunctionalThereIsNoAccuracy) {
  const arch::ArchSpec a = arch_with("int8.yaml", {});
  const workload::Network net = workload::load_network(kSource + "/workloads/lenet5.yaml");
  Options o;
  o.models_dir = kSource + "/models";
  const report::NetworkResult r = evaluate(a, net, o);
  EXPECT_FALSE(r.top1.has_value());
  EXPECT_GT(r.energy_pj.value_or(0), 0);
  EXPECT_GT(r.area_um2.value_or(0), 0);
}

// pe_array.dvafs on a 16-bit subword array: the int4 layer (4 lanes) and the int8 one (2) run
// 4x and 2x slower than their lanes allow, for the time of a 16-bit layer, at the supply the
// alpha-power law gives for that clock; the int16 layer runs at the nominal point.
TEST(Evaluate, DvafsTradesTheLanesSavedTimeForSupply) {
  const arch::ArchSpec a = arch_with("int8.yaml", {"pe_array.precision_scaling=subword", "pe_array.weight_format=int16",
                                                   "pe_array.activation_format=int16", "pe_array.dvafs=true",
                                                   "memory.ideal=true"});
  const workload::Network net = workload::load_yaml_network(config::Document::parse(
      "name: n\ninput: {channels: 8, height: 12, width: 12}\nlayers:\n"
      "  - {name: c4, type: conv2d, filters: 64, kernel: 3, weight_format: int4, activation_format: int4}\n"
      "  - {name: c8, type: conv2d, filters: 64, kernel: 3, weight_format: int8, activation_format: int8}\n"
      "  - {name: c16, type: conv2d, filters: 64, kernel: 3, weight_format: int16, activation_format: int16}\n",
      "n.yaml"));
  Options o;
  o.models_dir = kSource + "/models";
  const report::NetworkResult r = evaluate(a, net, o);
  const cost::CostModel model = cost::load_cost_model(o.models_dir, a);
  const std::vector<mapping::Mapping> mp = mapping::map_network(a, net, cost::mapper_options(model));
  const double vn = model.tech.at("voltage", "nominal_v");
  const int slowdowns[] = {4, 2, 1};
  for (std::size_t i = 0; i < 3; ++i) {
    SCOPED_TRACE(net.layers[i].name);
    const report::LayerResult& l = r.layers[i];
    ASSERT_EQ(mp[i].lanes, slowdowns[i]);
    EXPECT_EQ(l.compute_cycles.value_or(-1), (mp[i].compute_cycles + 1) * slowdowns[i] - 1);
    EXPECT_EQ(l.stall_cycles.value_or(-1), 0);
    ASSERT_TRUE(l.supply_v && l.clock_ghz);
    EXPECT_DOUBLE_EQ(*l.clock_ghz, a.clock_ghz / slowdowns[i]);
    const double v = *l.supply_v;
    EXPECT_DOUBLE_EQ(v, cost::operating_point(model.tech, slowdowns[i]).voltage_v);
    if (slowdowns[i] == 1) {
      EXPECT_DOUBLE_EQ(v, vn);
    } else {
      EXPECT_LT(v, vn);
    }
    // The MACs at (V / Vn)^2 of their nominal price.
    const cost::UnitPrices nominal = cost::unit_prices(arch::resolve_formats(a, net.layers[i]), model);
    EXPECT_NEAR(l.energy_breakdown_pj.at("mac"), static_cast<double>(mp[i].macs) * nominal.mac * (v / vn) * (v / vn),
                1e-9 * l.energy_breakdown_pj.at("mac"));
  }
}

}  // namespace
}  // namespace qarch::eval
