// MAC styles: closed forms of the composition (docs/cost.md), the registry as an open set, and
// the per-MAC orderings and margins the references publish (docs/validation.md, "Arithmetic").

#include <gtest/gtest.h>

#include "cost/mac_styles.hpp"
#include "cost/technology.hpp"
#include "cost_test_support.hpp"

namespace qarch::cost {
namespace {

using numerics::Format;
using numerics::MultiplierStyle;

class MacStyles : public ::testing::Test {
 protected:
  void SetUp() override { register_builtins(registry_); }

  BlockCost mac(const std::string& w, const std::string& a, const std::string& acc,
                const std::string& style = "exact") const {
    return mac_cost(registry_, t_, {Format::parse(w), Format::parse(a), Format::parse(acc), MultiplierStyle::parse(style)});
  }
  BlockCost multiplier(const std::string& w, const std::string& a, const std::string& acc,
                       const std::string& style = "exact") const {
    const MacOperands ops{Format::parse(w), Format::parse(a), Format::parse(acc), MultiplierStyle::parse(style)};
    return registry_.find(ops.style)(t_, ops);
  }

  Technology t_ = load_technology(testing::models_dir(), "45nm");
  MultiplierRegistry registry_;
};

// int8 MAC = 8x8 multiplier + 32-bit adder, by hand from the 45 nm coefficients.
TEST_F(MacStyles, ExactIntegerMacIsMultiplierPlusAccumulatorAdder) {
  const double multiply = 0.0030 * 64 + 0.001 * 16;
  const double add = 0.0067 + 0.0029 * 32;
  EXPECT_NEAR(mac("int8", "int8", "int32").energy_pj, multiply + add, 1e-12);
  EXPECT_NEAR(mac("int8", "int8", "int32").area_um2, 2.9 * 64 + 8 * 16 + 2.3 + 4.2 * 32, 1e-9);
  // Mixed widths: an 8 x 4 array costs about half an 8 x 8 one (energy.md s1).
  EXPECT_NEAR(multiplier("int4", "int8", "int32").energy_pj, 0.0030 * 32 + 0.001 * 12, 1e-12);
}

// bf16 x bf16 -> fp32: fp multiplier (e = 8, m = 7) + fp32 adder.
TEST_F(MacStyles, FloatMacIsFloatMultiplierPlusFloatAdder) {
  EXPECT_NEAR(mac("bf16", "bf16", "fp32").energy_pj, 0.00507 * 64 + 0.097 * 8 + 0.0375 * 24, 1e-12);
}

// pow2_4 weights shift int8 activations by 0..6: (8 + 6) bits x 3 stages; then the adder.
TEST_F(MacStyles, ShiftAddIsABarrelShifterOnTheActivation) {
  EXPECT_NEAR(multiplier("pow2_4", "int8", "int32", "shift_add").energy_pj, 0.0006 * 14 * 3, 1e-12);
  // Ternary weights need no shifter at all: only the accumulator's add/subtract remains.
  EXPECT_NEAR(multiplier("ternary", "int8", "int32", "shift_add").energy_pj, 0.0, 1e-12);
}

TEST_F(MacStyles, PositFieldsFollowTheFormat) {
  const PositFields p8 = posit_fields(Format::parse("posit<8,1>"));
  EXPECT_EQ(p8.fraction_bits, 4);
  EXPECT_EQ(p8.scale_bits, 5);  // scale in [-12, 12]
  const PositFields p32 = posit_fields(Format::parse("posit<32,2>"));
  EXPECT_EQ(p32.fraction_bits, 27);
  EXPECT_EQ(p32.scale_bits, 8);  // scale in [-120, 120]
}

TEST_F(MacStyles, RegistryIsAnOpenSet) {
  const auto names = registry_.names();
  for (const char* n : {"exact", "shift_add", "xnor_popcount", "mitchell", "plam"}) {
    EXPECT_NE(std::find(names.begin(), names.end(), n), names.end()) << n;
  }
  MultiplierRegistry empty;
  EXPECT_THROW(empty.find(MultiplierStyle::parse("exact")), std::invalid_argument);
  // A new or replaced style is data for the registry, not a change to the pricing code.
  registry_.add("exact", [](const Technology&, const MacOperands&) { return BlockCost{1.0, 2.0}; });
  EXPECT_NEAR(mac("int8", "int8", "int32").energy_pj, 1.0 + 0.0067 + 0.0029 * 32, 1e-12);
}

// Validation: per-MAC energy at equal width follows the references (energy.md s1, s4):
// int8 < fp8 < bf16 < fp32 for the MAC and for the multiplier alone.
TEST_F(MacStyles, IntegerBelowFp8BelowBf16BelowFp32) {
  const double int8 = mac("int8", "int8", "int32").energy_pj;
  const double fp8 = mac("fp8_e4m3", "fp8_e4m3", "fp32").energy_pj;
  const double bf16 = mac("bf16", "bf16", "fp32").energy_pj;
  const double fp32 = mac("fp32", "fp32", "fp32").energy_pj;
  EXPECT_LT(int8, fp8);
  EXPECT_LT(fp8, bf16);
  EXPECT_LT(bf16, fp32);
  EXPECT_LT(multiplier("int8", "int8", "int32").energy_pj, multiplier("fp8_e4m3", "fp8_e4m3", "fp32").energy_pj);
  EXPECT_LT(multiplier("fp8_e4m3", "fp8_e4m3", "fp32").energy_pj, multiplier("bf16", "bf16", "fp32").energy_pj);
  EXPECT_LT(multiplier("bf16", "bf16", "fp32").energy_pj, multiplier("fp32", "fp32", "fp32").energy_pj);
  // Fewer bits cost less (Moons et al.: int4 and binary below int8).
  EXPECT_LT(mac("int4", "int4", "int24").energy_pj, int8);
  EXPECT_LT(mac("binary", "binary", "int16", "xnor_popcount").energy_pj, mac("int4", "int4", "int24").energy_pj);
}

// Validation: shift_add and Mitchell are below exact multiplication of the same operands.
TEST_F(MacStyles, ShiftAddAndMitchellBelowExactMultiplication) {
  EXPECT_LT(mac("pow2_4", "int8", "int32", "shift_add").energy_pj, mac("int8", "int8", "int32").energy_pj);
  for (const char* f : {"int8", "int16", "int32"}) {
    EXPECT_LT(multiplier(f, f, "int32", "mitchell").energy_pj, multiplier(f, f, "int32").energy_pj) << f;
    EXPECT_LT(multiplier(f, f, "int32", "mitchell_w6").energy_pj, multiplier(f, f, "int32", "mitchell").energy_pj) << f;
  }
  // The saving of a log multiplier grows with width (energy.md s8).
  const auto saving = [&](const char* f) {
    return 1 - multiplier(f, f, "int32", "mitchell").energy_pj / multiplier(f, f, "int32").energy_pj;
  };
  EXPECT_LT(saving("int8"), saving("int16"));
  EXPECT_LT(saving("int16"), saving("int32"));
}

// Validation: Mitch-w6 saves "up to 80%" of the MAC energy of bfloat16 (Kim et al., seed 003):
// an int16 Mitch-w6 MAC with exact int32 accumulation against a bf16 MAC with fp32 accumulation.
TEST_F(MacStyles, MitchellW6SavesAboutEightyPercentAgainstBf16) {
  const double w6 = mac("int16", "int16", "int32", "mitchell_w6").energy_pj;
  const double bf16 = mac("bf16", "bf16", "fp32").energy_pj;
  const double saving = 1 - w6 / bf16;
  EXPECT_NEAR(saving, 0.80, 0.05) << "saving " << saving;
}

// Calibration caution of energy.md s8: a posit multiplier is not cheaper than a float one of
// equal width.
TEST_F(MacStyles, PositMultiplierNotCheaperThanFloatOfEqualWidth) {
  EXPECT_GE(multiplier("posit<8,1>", "posit<8,1>", "fp32").energy_pj, multiplier("fp8_e4m3", "fp8_e4m3", "fp32").energy_pj);
  EXPECT_GE(multiplier("posit<16,1>", "posit<16,1>", "fp32").energy_pj, multiplier("fp16", "fp16", "fp32").energy_pj);
  EXPECT_GE(multiplier("posit<32,2>", "posit<32,2>", "fp32").energy_pj, multiplier("fp32", "fp32", "fp32").energy_pj);
}

// Validation: PLAM against an exact posit multiplier of the same width (Murillo et al., seed
// 003): up to 81.79% less power and 72.86% less area. Both are posit x posit -> posit
// multipliers here (an encoder added to each); the published maxima are compared at 32 bits.
TEST_F(MacStyles, PlamSavesNearThePublishedMarginAgainstExactPosit) {
  const auto posit_multiplier = [&](const char* f, const char* style) {
    const Format p = Format::parse(f);
    return multiplier(f, f, f, style) + posit_encoder(t_, p.bits());
  };
  const BlockCost exact = posit_multiplier("posit<32,2>", "exact");
  const BlockCost plam = posit_multiplier("posit<32,2>", "plam");
  const double power_saving = 1 - plam.energy_pj / exact.energy_pj;
  const double area_saving = 1 - plam.area_um2 / exact.area_um2;
  EXPECT_NEAR(power_saving, 0.8179, 0.05) << power_saving;
  EXPECT_NEAR(area_saving, 0.7286, 0.12) << area_saving;
  // Smaller posits save less (the decoders weigh more), but PLAM is always cheaper.
  for (const char* f : {"posit<8,1>", "posit<16,1>"}) {
    EXPECT_LT(posit_multiplier(f, "plam").energy_pj, posit_multiplier(f, "exact").energy_pj) << f;
    EXPECT_LT(1 - posit_multiplier(f, "plam").energy_pj / posit_multiplier(f, "exact").energy_pj, power_saving) << f;
  }
}

}  // namespace
}  // namespace qarch::cost
