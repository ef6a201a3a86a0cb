// The block dot-product unit's cost (docs/cost.md, "Block dot-product unit"): the exact sum's
// width against the element ranges the OCP MX v1.0 and NVFP4 specifications publish, the parts
// by hand from the 45 nm coefficients, amortization over the block, and the bill of a layer.

#include <gtest/gtest.h>

#include <cmath>

#include "cost/block_dot_cost.hpp"
#include "cost/cost_model.hpp"
#include "cost/layer_cost.hpp"
#include "cost/mac_styles.hpp"
#include "cost_test_support.hpp"
#include "workload/network.hpp"

namespace qarch::cost {
namespace {

using numerics::Format;
using numerics::MultiplierStyle;

MacOperands block_dot(const std::string& w, const std::string& a, const std::string& acc = "fp32") {
  return {Format::parse(w), Format::parse(a), Format::parse(acc), MultiplierStyle::parse("block_dot")};
}

class BlockDotCost : public ::testing::Test {
 protected:
  void SetUp() override { register_builtins(registry_); }
  Technology t_ = load_technology(testing::models_dir(), "45nm");
  MultiplierRegistry registry_;
};

// Bits of a two's-complement integer holding +-n.
int signed_bits(double n) { return static_cast<int>(std::floor(std::log2(n))) + 2; }

// The adder tree is as wide as B products of the largest elements, counted in units of the
// smallest subnormal: max / min_subnormal from the published element tables (OCP MX v1.0,
// table 2-3: E4M3 448 / 2^-9, E5M2 57344 / 2^-16, E3M2 28 / 2^-4, E2M3 7.5 / 2^-3, E2M1 6 / 2^-1;
// MXINT8 -2 in units of 2^-6, i.e. -128).
TEST_F(BlockDotCost, TheAdderTreeHoldsTheExactSumOfABlock) {
  const struct {
    const char* format;
    double units;
    int block;
  } cases[] = {{"mxfp8_e4m3", 448.0 * 512, 32}, {"mxfp8_e5m2", 57344.0 * 65536, 32}, {"mxfp6_e3m2", 28.0 * 16, 32},
               {"mxfp6_e2m3", 7.5 * 8, 32},      {"mxfp4_e2m1", 6.0 * 2, 32},           {"mxfp4_e2m1_b16", 6.0 * 2, 16},
               {"nvfp4", 6.0 * 2, 16},           {"mxint8", 128, 32},                  {"int4_g128", 8, 128}};
  for (const auto& c : cases) {
    SCOPED_TRACE(c.format);
    EXPECT_EQ(block_sum_bits(block_dot(c.format, c.format)), signed_bits(c.block * c.units * c.units));
  }
  // A scalar side counts in its own units: fp16's 65504 / 2^-24; int8's -128.
  EXPECT_EQ(block_sum_bits(block_dot("int4_g128", "fp16")), signed_bits(128 * 8 * 65504.0 * 16777216.0));
  EXPECT_EQ(block_sum_bits(block_dot("mxfp4", "int8")), signed_bits(32 * 12 * 128.0));
}

// MXFP4 x MXFP4 -> fp32 by hand: a 2 x 2 significand multiplier; an exponent adder (3 bits for
// shifts 0..4) and a 4-bit shifter by 0..4 (3 stages); the 14-bit tree adder (32 x 12 x 12 < 2^13)
// 31/32 per MAC; per block a 9-bit adder for the two E8M0 exponents, normalizing 14 bits
// (leading-one detector, shifter by 0..14 in 4 stages), rounding at 24 bits, the exponent add at 9, and the fp32 add.
TEST_F(BlockDotCost, Mxfp4PartsFromTheCoefficients) {
  const auto adder = [](int w) { return 0.0067 + 0.0029 * w; };
  const double products = 0.0030 * 4 + 0.001 * 4;
  const double align = adder(3) + 0.0006 * (4 + 4) * 3;
  const double tree = adder(14) * 31 / 32;
  const double scales = (adder(9) + 0.0015 * 14 + 0.0006 * 28 * 4 + adder(24) + adder(9)) / 32;
  const double accumulate = 0.0375 * 24 / 32;
  const MacOperands ops = block_dot("mxfp4", "mxfp4");
  EXPECT_NEAR(registry_.find(ops.style)(t_, ops).energy_pj, products + align + tree + scales, 1e-12);
  EXPECT_NEAR(accumulator_cost(t_, ops).energy_pj, accumulate, 1e-12);
  EXPECT_NEAR(mac_cost(registry_, t_, ops).energy_pj, products + align + tree + scales + accumulate, 1e-12);
}

// The per-block parts are paid once per block: halving the block doubles their share per MAC,
// while the per-product parts stay.
TEST_F(BlockDotCost, PerBlockPartsAreAmortizedOverTheBlock) {
  const std::vector<DotPart> b32 = block_dot_parts(t_, block_dot("mxfp4_e2m1", "mxfp4_e2m1"));
  const std::vector<DotPart> b16 = block_dot_parts(t_, block_dot("mxfp4_e2m1_b16", "mxfp4_e2m1_b16"));
  ASSERT_EQ(b32.size(), b16.size());
  EXPECT_EQ(b32.back().action, "block accums");
  EXPECT_DOUBLE_EQ(b16.back().per_mac * b16.back().cost.energy_pj, 2 * b32.back().per_mac * b32.back().cost.energy_pj);
  EXPECT_DOUBLE_EQ(b16.front().per_mac * b16.front().cost.energy_pj, b32.front().per_mac * b32.front().cost.energy_pj);
}

// Narrower elements cost less; an fp8 block unit beats an fp8 MAC with an fp32 add per product;
// a float scale (NVFP4's E4M3, a group's fp32) needs a multiplier where E8M0 needs an adder.
TEST_F(BlockDotCost, OrderingsOfTheElementFormats) {
  const auto pj = [&](const MacOperands& ops) { return mac_cost(registry_, t_, ops).energy_pj; };
  const double fp4 = pj(block_dot("mxfp4", "mxfp4")), fp6 = pj(block_dot("mxfp6_e2m3", "mxfp6_e2m3"));
  const double fp8 = pj(block_dot("mxfp8_e4m3", "mxfp8_e4m3"));
  EXPECT_LT(fp4, fp6);
  EXPECT_LT(fp6, fp8);
  const MacOperands scalar_fp8{Format::parse("fp8_e4m3"), Format::parse("fp8_e4m3"), Format::parse("fp32"),
                               MultiplierStyle::parse("exact")};
  EXPECT_LT(fp8, pj(scalar_fp8));
  const auto scale_part = [&](const char* f) { return block_dot_parts(t_, block_dot(f, f))[3].cost.energy_pj; };
  EXPECT_GT(scale_part("nvfp4"), scale_part("mxfp4_e2m1_b16"));
}

// A fixed-point accumulator adds at its width once per block.
TEST_F(BlockDotCost, AFixedAccumulatorAddsAtItsWidth) {
  const MacOperands ops = block_dot("mxint8", "mxint8", "fixed32_16");
  EXPECT_NEAR(accumulator_cost(t_, ops).energy_pj, (0.0067 + 0.0029 * 32) / 32, 1e-12);
}

// The bill of a block_dot layer lists the unit's parts; they add up to what energy_pj() charges.
TEST_F(BlockDotCost, TheBillListsThePartsAndAddsUpToTheMacEnergy) {
  const arch::ArchSpec arch = testing::preset("mxfp8");
  const CostModel model = load_cost_model(testing::models_dir(), arch);
  const workload::Network net = workload::load_network(testing::workload_path("lenet5"));
  const LayerActions actions = actions_from(arch, net.layers.front());
  double mac_pj = 0;
  std::vector<std::string> seen;
  for (const PricedAction& p : price(actions, model)) {
    if (p.component != "mac" || p.action == "gated MACs") continue;
    mac_pj += p.energy_pj();
    seen.push_back(p.action);
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"products", "alignments", "tree adds", "block scales", "block accums"}));
  const UnitPrices prices = unit_prices(actions.formats(), model);
  EXPECT_NEAR(mac_pj, static_cast<double>(actions.macs) * prices.mac, 1e-9 * mac_pj);
  EXPECT_NEAR(layer_cost(actions, model).energy_pj.at("mac"), mac_pj, 1e-9 * mac_pj);
}

}  // namespace
}  // namespace qarch::cost
