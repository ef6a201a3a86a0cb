// The validation points of docs/validation.md: DianNao's published area, power and
// throughput; Eyeriss on AlexNet's conv layers in the normalized hierarchy; Eyeriss's core area;
// the MX datapath orderings of the SNAX MX array.
// (The per-MAC orderings and margins are in mac_styles_test.cpp.)

#include <gtest/gtest.h>

#include "cost/layer_cost.hpp"
#include "cost_test_support.hpp"
#include "unit/mapping/test_layers.hpp"
#include "workload/network.hpp"

namespace qarch::cost {
namespace {

using testing::models_dir;
using testing::preset;

double error(double model, double published) { return model / published - 1; }

// DianNao at full utilization: a 3x3, 64 -> 64 conv on a 28x28 output (ideal memory, so the
// array never waits); on-chip power, DRAM excluded as in the paper's 485 mW.
struct DianNaoRun {
  CostModel model;
  LayerActions actions;
  LayerCost cost;
};

DianNaoRun run_diannao(arch::Dataflow dataflow = arch::Dataflow::AdderTree) {
  arch::ArchSpec a = preset("diannao");
  a.memory.ideal = true;
  a.pe_array.dataflow = dataflow;
  CostModel m = load_cost_model(models_dir(), a);
  LayerActions actions = actions_from(a, qarch::testing::conv_layer("conv", 30, 30, 3, 3, 64, 64, 1));
  LayerCost c = layer_cost(actions, m);
  return {m, actions, c};
}

TEST(ValidationDianNao, AreaWithinTenPercentOfPublished) {
  const DianNaoRun r = run_diannao();
  EXPECT_NEAR(error(r.model.area.total_mm2(), 3.02), 0.0, 0.10) << r.model.area.total_mm2() << " mm2";
}

// The 65 nm calibration (models/65nm.yaml) was fitted with the NFU approximated as a 16 x 16
// output-stationary array: that run still draws the published 485 mW.
TEST(ValidationDianNao, PowerWithinTenPercentOfPublishedAsCalibrated) {
  const DianNaoRun r = run_diannao(arch::Dataflow::OutputStationary);
  const double mw = power_mw(r.cost.on_chip_pj(), r.actions.cycles, r.model);
  EXPECT_NEAR(error(mw, 485.0), 0.0, 0.10) << mw << " mW";
  // The array is busy: the conv keeps all 256 PEs on nearly every cycle.
  EXPECT_GT(static_cast<double>(r.actions.macs) / (256.0 * static_cast<double>(r.actions.cycles)), 0.9);
}

// The preset's own dataflow, the NFU's adder trees, reads 256 synapses from SB every cycle as the
// chip does, where the os approximation reused each weight across 16 positions: SB becomes the
// largest on-chip consumer and the preset draws more than published (docs/validation.md,
// "Known discrepancy").
TEST(ValidationDianNao, AdderTreeReadsEverySynapseFromSbAndDrawsMoreThanPublished) {
  const DianNaoRun tree = run_diannao();
  const DianNaoRun os = run_diannao(arch::Dataflow::OutputStationary);
  EXPECT_EQ(tree.actions.buffer(Store::Weight).read_bits, tree.actions.macs * 16);
  EXPECT_GT(tree.actions.buffer(Store::Weight).read_bits, 10 * os.actions.buffer(Store::Weight).read_bits);
  double largest = 0;
  std::string largest_component;
  for (const auto& [component, pj] : tree.cost.energy_pj) {
    if (component != "dram" && pj > largest) largest = pj, largest_component = component;
  }
  EXPECT_EQ(largest_component, "buffer_weight");
  const double mw = power_mw(tree.cost.on_chip_pj(), tree.actions.cycles, tree.model);
  EXPECT_GT(mw, 485.0 * 1.10) << mw << " mW";
  EXPECT_GT(static_cast<double>(tree.actions.macs) / (256.0 * static_cast<double>(tree.actions.cycles)), 0.95);
}

// The published 452 GOP/s against what the preset sustains at the operating point where its power
// is validated (the same run as PowerWithinTenPercentOfPublished): 2 ops per MAC over the run's
// cycles. 476.9 GOP/s, +5.5%.
TEST(ValidationDianNao, ThroughputAtFullUtilizationWithinTenPercentOfPublished) {
  const DianNaoRun r = run_diannao();
  const double gops = 2.0 * static_cast<double>(r.actions.macs) / static_cast<double>(r.actions.cycles) * 0.98;
  EXPECT_NEAR(error(gops, 452.0), 0.0, 0.10) << gops << " GOP/s";
  EXPECT_LT(gops, peak_tops(r.model.arch) * 1e3);  // some cycles fill and drain the array
}

// Peak: 2 operations per PE per cycle, 2 x 256 x 0.98 GHz = 501.76 GOP/s, 11.0% above the paper's
// 452 GOP/s, which is 0.90 x that peak, fewer than two operations per multiplier and cycle. The
// 2-ops-per-MAC convention is every report's, so it is not changed for one chip
// (docs/validation.md).
TEST(ValidationDianNao, PeakThroughputIsTwoOpsPerPePerCycle) {
  const arch::ArchSpec a = preset("diannao");
  EXPECT_DOUBLE_EQ(peak_tops(a), 2 * 256 * 0.98e9 / 1e12);
  EXPECT_NEAR(error(peak_tops(a), 0.452), 0.110, 0.001);
}

// AlexNet's five conv layers on the Eyeriss preset with the dataflow replaced: same PEs, same
// register files and buffers, so equal area.
LayerCost eyeriss_alexnet_conv(arch::Dataflow dataflow, std::int64_t* macs = nullptr,
                               CostModel* model = nullptr, arch::CostStyle style = arch::CostStyle::EyerissNormalized) {
  arch::ArchSpec a = preset("eyeriss");
  a.pe_array.dataflow = dataflow;
  a.cost_style = style;
  const CostModel m = load_cost_model(models_dir(), a);
  const workload::Network net = workload::load_network(testing::workload_path("alexnet"));
  LayerCost total;
  std::int64_t n = 0;
  for (const workload::Layer& layer : net.layers) {
    if (layer.type != workload::LayerType::Conv2d) continue;
    const LayerActions actions = actions_from(a, layer);
    n += actions.macs;
    total += layer_cost(actions, m);
  }
  if (macs) *macs = n;
  if (model) *model = m;
  return total;
}

// Chen et al., ISCA 2016: at equal area, row-stationary is the most energy-efficient dataflow on
// AlexNet's conv layers (1.4-2.5x over the others).
TEST(ValidationEyeriss, RowStationaryBeatsWsAndOsAtEqualArea) {
  const double rs = eyeriss_alexnet_conv(arch::Dataflow::RowStationary).total_pj;
  const double ws = eyeriss_alexnet_conv(arch::Dataflow::WeightStationary).total_pj;
  const double os = eyeriss_alexnet_conv(arch::Dataflow::OutputStationary).total_pj;
  EXPECT_LT(rs, ws);
  EXPECT_LT(rs, os);
  EXPECT_GE(ws / rs, 1.4) << ws / rs;  // the paper's range for rs over the others
  EXPECT_LE(ws / rs, 2.5) << ws / rs;
  EXPECT_GT(os / rs, 1.1) << os / rs;
}

// The breakdown under row-stationary in the Eyeriss papers' terms: data movement, not the ALU,
// dominates; the register-file level is the largest consumer (that is where RS keeps its
// reuse); PE-to-PE traffic and the global buffer are small shares.
TEST(ValidationEyeriss, RowStationaryBreakdownOnAlexNetConv) {
  std::int64_t macs = 0;
  CostModel m;
  const LayerCost c = eyeriss_alexnet_conv(arch::Dataflow::RowStationary, &macs, &m);
  const auto share = [&](std::initializer_list<const char*> keys) {
    double pj = 0;
    for (const char* k : keys) pj += c.energy_pj.at(k);
    return pj / c.total_pj;
  };
  const double alu = share({"mac"});
  const double rf = share({"rf_weight", "rf_input", "rf_output"});
  const double array = share({"array"});
  const double buffer = share({"buffer_weight", "buffer_input", "buffer_output"});
  const double dram = share({"dram"});
  EXPECT_LT(alu, 0.15);
  EXPECT_GT(rf, dram);
  EXPECT_GT(rf, buffer);
  EXPECT_GT(rf, alu);
  EXPECT_LT(array, 0.05);
  EXPECT_LT(buffer, 0.10);
  // AlexNet (torchvision, 224x224) conv layers: 655 M MACs.
  EXPECT_NEAR(static_cast<double>(macs), 655e6, 5e6);
}

// Eyeriss core, 3.5 mm x 3.5 mm (JSSC 2017): 12.25 mm2. The 65 nm SRAM port periphery is the
// DianNao fit, so this is a cross-check of that fit on a chip with narrow buffer ports.
TEST(ValidationEyeriss, CoreAreaWithinTenPercentOfPublished) {
  const CostModel m = load_cost_model(models_dir(), preset("eyeriss"));
  EXPECT_NEAR(error(m.area.total_mm2(), 12.25), 0.0, 0.10) << m.area.total_mm2() << " mm2";
}

// SNAX MX array (Cuyckens et al., ASP-DAC 2026, 8x8, 16 nm): 657 / 1438-1675 / 4065 GOPS/W for
// MXINT8 / MXFP8-MXFP6 / MXFP4. Per MAC of the block_dot presets (the datapath: ops per pJ), the
// orderings among the MX floats and MXFP4's lead hold; the ratio is smaller than SNAX's, whose
// one precision-scalable datapath runs 4x (FP8) and 8x (FP4) the MXINT8 MACs per cycle
// (docs/validation.md, "Block dot-product unit").
TEST(ValidationMx, Fp4AboveFp6AboveFp8AndFp4AboveInt8) {
  const auto gops_per_w = [](const char* name) {
    const CostModel m = testing::preset_model(name);
    const arch::PeArraySpec& pe = m.arch.pe_array;
    return 2.0 / unit_prices(arch::LayerFormats{pe.weight_format, pe.activation_format, pe.accumulator_format, pe.multiplier}, m).mac;
  };
  const double int8 = gops_per_w("mxint8"), fp8 = gops_per_w("mxfp8"), fp6 = gops_per_w("mxfp6"),
               fp4 = gops_per_w("mxfp4");
  EXPECT_GT(fp4, fp6);
  EXPECT_GT(fp6, fp8);
  EXPECT_GT(fp6, int8);
  // SNAX: MXFP4 6.2x MXINT8; a dedicated datapath per format: at least 2x, at most SNAX's.
  EXPECT_GT(fp4 / int8, 2.0);
  EXPECT_LT(fp4 / int8, 4065.0 / 657.0);
}

}  // namespace
}  // namespace qarch::cost
