// Precision-scalable PEs in the cost model: each kind's energy per MAC against its composition
// from blocks (docs/cost.md, "Precision-scalable PEs"), the area of the PE's own widths whatever
// the layer runs, and the orderings the designs publish.

#include <gtest/gtest.h>

#include "cost/mac_styles.hpp"
#include "cost/technology.hpp"
#include "cost_test_support.hpp"

namespace qarch::cost {
namespace {

using arch::PrecisionScaling;
using arch::SerialOperand;
using numerics::Format;

class ScalablePe : public ::testing::Test {
 protected:
  void SetUp() override { register_builtins(registry_); }

  MacOperands ops(PrecisionScaling s, int w, int a, int pe_w = 8, int pe_a = 8) const {
    MacOperands m{Format::make_int(w), Format::make_int(a), Format::parse("int32"),
                  numerics::MultiplierStyle::parse("exact")};
    m.scaling = s;
    m.pe_weight_bits = pe_w;
    m.pe_activation_bits = pe_a;
    return m;
  }
  BlockCost mac(const MacOperands& m) const { return mac_cost(registry_, t_, m); }
  double adder32() const { return int_adder(t_, 32).energy_pj; }

  Technology t_ = load_technology(testing::models_dir(), "45nm");
  MultiplierRegistry registry_;
};

TEST_F(ScalablePe, FusionCostsItsBricksShareOfTheUnit) {
  const BlockCost unit = 16.0 * int_multiplier(t_, 2, 2) + 15.0 * int_adder(t_, 16);
  for (int w : {2, 4, 8, 16}) {
    for (int a : {2, 4, 8, 16}) {
      const BlockCost c = mac(ops(PrecisionScaling::Fusion, w, a));
      EXPECT_NEAR(c.energy_pj - adder32(), unit.energy_pj * (w / 2) * (a / 2) / 16.0, 1e-12) << w << "x" << a;
      EXPECT_DOUBLE_EQ(c.area_um2, unit.area_um2 + int_adder(t_, 32).area_um2);
    }
  }
  // Narrower products are cheaper; an 8x8 product on bricks costs more than a plain 8x8
  // multiplier (BitFusion's fusion overhead).
  EXPECT_LT(mac(ops(PrecisionScaling::Fusion, 2, 2)).energy_pj, mac(ops(PrecisionScaling::Fusion, 4, 4)).energy_pj);
  EXPECT_GT(mac(ops(PrecisionScaling::Fusion, 8, 8)).energy_pj, mac(ops(PrecisionScaling::BitParallel, 8, 8)).energy_pj);
}

TEST_F(ScalablePe, SubwordLanesShareOneWideMultiplier) {
  const BlockCost wide = int_multiplier(t_, 16, 16);
  EXPECT_NEAR(mac(ops(PrecisionScaling::Subword, 16, 16, 16, 16)).energy_pj - adder32(), wide.energy_pj, 1e-12);
  EXPECT_NEAR(mac(ops(PrecisionScaling::Subword, 8, 6, 16, 16)).energy_pj - adder32(), wide.energy_pj / 2, 1e-12);
  EXPECT_NEAR(mac(ops(PrecisionScaling::Subword, 4, 3, 16, 16)).energy_pj - adder32(), wide.energy_pj / 4, 1e-12);
  // Four lanes, four accumulators.
  EXPECT_DOUBLE_EQ(mac(ops(PrecisionScaling::Subword, 4, 4, 16, 16)).area_um2,
                   wide.area_um2 + 4 * int_adder(t_, 32).area_um2);
}

TEST_F(ScalablePe, BitSerialPaysOneShiftAddPerSerialBit) {
  for (int a = 1; a <= 16; ++a) {
    const BlockCost step = logic_gates(t_, 8) + int_adder(t_, 8 + a);
    EXPECT_NEAR(mac(ops(PrecisionScaling::BitSerial, 8, a)).energy_pj - adder32(), a * step.energy_pj, 1e-12);
  }
  MacOperands both = ops(PrecisionScaling::BitSerial, 4, 6);
  both.serial = SerialOperand::Both;
  EXPECT_NEAR(mac(both).energy_pj - adder32(), 24 * (logic_gates(t_, 1) + int_adder(t_, 10)).energy_pj, 1e-12);
  MacOperands weights = ops(PrecisionScaling::BitSerial, 3, 8);
  weights.serial = SerialOperand::Weights;
  EXPECT_NEAR(mac(weights).energy_pj - adder32(), 3 * (logic_gates(t_, 8) + int_adder(t_, 11)).energy_pj, 1e-12);
  // The PE's area is its datapath's, whatever the layer's widths.
  EXPECT_DOUBLE_EQ(mac(ops(PrecisionScaling::BitSerial, 8, 2)).area_um2, mac(ops(PrecisionScaling::BitSerial, 8, 8)).area_um2);
  EXPECT_LT(mac(ops(PrecisionScaling::BitSerial, 8, 8)).area_um2, mac(ops(PrecisionScaling::BitParallel, 8, 8)).area_um2);
}

}  // namespace
}  // namespace qarch::cost
