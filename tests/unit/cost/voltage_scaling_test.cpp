// DVAFS operating points: the lowest supply whose alpha-power-law clock is fast enough, found
// against the law written out here, and the array-domain prices it scales.

#include <gtest/gtest.h>

#include <cmath>

#include "cost/cost_model.hpp"
#include "cost/voltage_scaling.hpp"
#include "cost_test_support.hpp"

namespace qarch::cost {
namespace {

// (V - Vt)^alpha / V against the nominal supply's, from the table's numbers.
double law(const Technology& t, double v) {
  const double vt = t.at("voltage", "threshold_v"), a = t.at("voltage", "alpha"), vn = t.at("voltage", "nominal_v");
  return (std::pow(v - vt, a) / v) / (std::pow(vn - vt, a) / vn);
}

TEST(VoltageScaling, TheSupplyIsTheLowestWhoseClockIsFastEnough) {
  for (const char* node : {"45nm", "65nm"}) {
    const Technology t = load_technology(testing::models_dir(), node);
    const double vn = t.at("voltage", "nominal_v"), floor = t.at("voltage", "min_v");
    EXPECT_DOUBLE_EQ(operating_point(t, 1).voltage_v, vn);
    double previous = vn;
    for (double slowdown : {1.1, 1.25, 1.5, 2.0, 3.0, 4.0, 16.0}) {
      const OperatingPoint p = operating_point(t, slowdown);
      SCOPED_TRACE(std::string(node) + " slowdown " + std::to_string(slowdown));
      EXPECT_LE(p.voltage_v, previous);  // slower clocks never need more
      EXPECT_GE(p.voltage_v, floor);
      EXPECT_GE(law(t, p.voltage_v), 1 / slowdown - 1e-12);
      if (p.voltage_v > floor + 1e-9) {
        EXPECT_LT(law(t, p.voltage_v - 1e-6), 1 / slowdown);  // and it is the lowest
      }
      EXPECT_NEAR(relative_speed(t, p.voltage_v), law(t, p.voltage_v), 1e-12);
      previous = p.voltage_v;
    }
    EXPECT_DOUBLE_EQ(operating_point(t, 16).voltage_v, floor);  // the floor binds
  }
}

TEST(VoltageScaling, TheArraysDynamicEnergyScalesWithTheSquareAndItsLeakageLinearly) {
  const CostModel m = testing::preset_model("int8");
  const arch::LayerFormats f{numerics::Format::parse("int8"), numerics::Format::parse("int8"),
                             numerics::Format::parse("int32"), numerics::MultiplierStyle::parse("exact")};
  const UnitPrices nominal = unit_prices(f, m);
  const UnitPrices low = unit_prices(f, m, {}, 0, 0.7);
  EXPECT_DOUBLE_EQ(low.mac, 0.49 * nominal.mac);
  EXPECT_DOUBLE_EQ(low.gated_mac, 0.49 * nominal.gated_mac);
  EXPECT_DOUBLE_EQ(low.array_bit_hop, 0.49 * nominal.array_bit_hop);
  for (int s = 0; s < 3; ++s) {
    EXPECT_DOUBLE_EQ(low.rf_bit[s], 0.49 * nominal.rf_bit[s]);
    EXPECT_DOUBLE_EQ(low.buffer_read_bit[s], nominal.buffer_read_bit[s]);  // buffers stay nominal
  }
  EXPECT_DOUBLE_EQ(low.dram_bit, nominal.dram_bit);
  EXPECT_DOUBLE_EQ(low.vector_op, nominal.vector_op);
  ASSERT_GT(m.array_area_share, 0);
  ASSERT_LT(m.array_area_share, 1);
  EXPECT_NEAR(low.leakage_cycle, nominal.leakage_cycle * (1 - 0.3 * m.array_area_share), 1e-12);
  // The share: the PEs' MACs and register files over the blocks.
  double blocks = 0;
  for (const auto& [name, um2] : m.area.area_um2) blocks += name == "layout" ? 0 : um2;
  EXPECT_NEAR(m.array_area_share,
              (m.area.area_um2.at("mac") + m.area.area_um2.at("rf_weight") + m.area.area_um2.at("rf_input") +
               m.area.area_um2.at("rf_output")) / blocks,
              1e-12);
}

}  // namespace
}  // namespace qarch::cost
