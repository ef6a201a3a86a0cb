// Precision-scalable PEs: each kind's lanes and clocks per step against the published
// arithmetic of the designs it stands for, enumerated over every width, and the errors that
// name what a kind cannot serve.

#include "arch/precision_scaling.hpp"

#include <gtest/gtest.h>

#include "arch/network_check.hpp"
#include "arch_test_support.hpp"
#include "config/document.hpp"
#include "workload/yaml_network_loader.hpp"

namespace qarch::arch {
namespace {

using numerics::Format;

PeArraySpec pe_of(PrecisionScaling scaling, const std::string& weight = "int8", const std::string& activation = "int8") {
  PeArraySpec pe;
  pe.precision_scaling = scaling;
  pe.weight_format = Format::parse(weight);
  pe.activation_format = Format::parse(activation);
  return pe;
}

Format int_of(int bits) { return Format::make_int(bits); }

TEST(PrecisionScaling, BitParallelIsOneProductPerClockAtAnyWidth) {
  const PeArraySpec pe = pe_of(PrecisionScaling::BitParallel);
  for (int w = 1; w <= 16; ++w) {
    const PeMode m = pe_mode(pe, int_of(w), int_of(17 - w));
    EXPECT_EQ(m.lanes, 1);
    EXPECT_EQ(m.step_cycles, 1);
  }
  // Any format, any multiplier: nothing to check.
  EXPECT_FALSE(check_pe_mode(pe, Format::parse("bf16"), Format::parse("fp8_e4m3")));
}

TEST(PrecisionScaling, BitSerialTakesOneClockPerSerialBit) {
  for (int w = 1; w <= 8; ++w) {
    for (int a = 1; a <= 16; ++a) {
      PeArraySpec pe = pe_of(PrecisionScaling::BitSerial);
      pe.serial_operand = SerialOperand::Activations;  // Stripes
      EXPECT_EQ(pe_mode(pe, int_of(w), int_of(a)).step_cycles, a);
      pe.serial_operand = SerialOperand::Both;  // Loom
      EXPECT_EQ(pe_mode(pe, int_of(w), int_of(a)).step_cycles, w * a);
      EXPECT_EQ(pe_mode(pe, int_of(w), int_of(a)).lanes, 1);
    }
  }
  PeArraySpec pe = pe_of(PrecisionScaling::BitSerial);
  pe.serial_operand = SerialOperand::Weights;
  EXPECT_EQ(pe_mode(pe, int_of(3), int_of(8)).step_cycles, 3);
  // The parallel operand's datapath is the PE's.
  const auto why = check_pe_mode(pe, int_of(3), int_of(12));
  ASSERT_TRUE(why);
  EXPECT_NE(why->find("pe_array.activation_format"), std::string::npos) << *why;
}

TEST(PrecisionScaling, FusionMatchesBitFusionsThroughput) {
  // BitFusion (Sharma et al., ISCA 2018): a fusion unit of 16 bricks runs 8x8 at one product
  // per clock, throughput x (8 / b_w) x (8 / b_a) below, 16-bit operands over 2 or 4 clocks.
  const PeArraySpec pe = pe_of(PrecisionScaling::Fusion);
  for (int w : {2, 4, 8, 16}) {
    for (int a : {2, 4, 8, 16}) {
      const PeMode m = pe_mode(pe, int_of(w), int_of(a));
      const double rate = static_cast<double>(m.lanes) / m.step_cycles;
      EXPECT_DOUBLE_EQ(rate, (8.0 / w) * (8.0 / a)) << w << "x" << a;
      EXPECT_TRUE(m.lanes == 1 || m.step_cycles == 1);
    }
  }
  // Binary operands take a whole brick.
  EXPECT_EQ(pe_mode(pe, Format::parse("binary"), int_of(2)).lanes, 16);
  EXPECT_EQ(pe_mode(pe, Format::parse("binary"), int_of(2)).weight_bits, 2);
  // A 16-brick unit of 4-bit PEs: 4 bricks.
  EXPECT_EQ(pe_mode(pe_of(PrecisionScaling::Fusion, "int4", "int4"), int_of(2), int_of(2)).lanes, 4);
  EXPECT_EQ(fusion_bricks(8, 8), 16);
}

TEST(PrecisionScaling, FusionRefusesWidthsThatAreNotWholeBricks) {
  const PeArraySpec pe = pe_of(PrecisionScaling::Fusion);
  for (int bits : {3, 5, 6, 7, 9, 12, 24}) {
    const auto why = check_pe_mode(pe, int_of(bits), int_of(8));
    ASSERT_TRUE(why) << bits;
    EXPECT_NE(why->find("int" + std::to_string(bits)), std::string::npos) << *why;
    EXPECT_NE(why->find("2-bit bricks"), std::string::npos) << *why;
  }
}

TEST(PrecisionScaling, SubwordSplitsTheMultiplierInTwoOrFour) {
  // Envision (Moons et al., ISSCC 2017): a 16-bit multiplier as 1x16b, 2x8b or 4x4b.
  const PeArraySpec pe = pe_of(PrecisionScaling::Subword, "int16", "int16");
  for (int w = 1; w <= 16; ++w) {
    for (int a = 1; a <= 16; ++a) {
      const int need = std::max(w, a);
      const PeMode m = pe_mode(pe, int_of(w), int_of(a));
      EXPECT_EQ(m.lanes, need <= 4 ? 4 : need <= 8 ? 2 : 1) << w << "x" << a;
      EXPECT_EQ(m.step_cycles, 1);
      EXPECT_EQ(m.weight_bits, 16 / m.lanes);
    }
  }
  EXPECT_TRUE(check_pe_mode(pe_of(PrecisionScaling::Subword), int_of(12), int_of(8)));
}

TEST(PrecisionScaling, EveryScalableKindNeedsExactIntegerProducts) {
  for (PrecisionScaling s : {PrecisionScaling::BitSerial, PrecisionScaling::Fusion, PrecisionScaling::Subword}) {
    EXPECT_TRUE(check_pe_mode(pe_of(s), Format::parse("fp8_e4m3"), int_of(8)));
    EXPECT_TRUE(check_pe_mode(pe_of(s), int_of(8), Format::parse("posit8_1")));
    EXPECT_TRUE(check_pe_mode(pe_of(s), Format::parse("int4_g32"), int_of(8)));
    PeArraySpec pe = pe_of(s);
    pe.multiplier = numerics::MultiplierStyle::parse("mitchell");
    const auto why = check_pe_mode(pe, int_of(8), int_of(8));
    ASSERT_TRUE(why);
    EXPECT_NE(why->find("pe_array.multiplier"), std::string::npos) << *why;
    EXPECT_FALSE(check_pe_mode(pe_of(s), Format::parse("fixed8_4"), Format::parse("uint8")));
  }
}

TEST(PrecisionScaling, TheLoaderReadsTheKindAndRefusesWhatItCannotRun) {
  const std::string fusion = testing::replace(testing::kValidArch, "  dataflow: os\n",
                                              "  dataflow: os\n  precision_scaling: fusion\n");
  EXPECT_EQ(load_arch(testing::write_temp(fusion)).pe_array.precision_scaling, PrecisionScaling::Fusion);
  EXPECT_EQ(load_arch(testing::write_temp(testing::kValidArch)).pe_array.precision_scaling,
            PrecisionScaling::BitParallel);
  const auto odd = testing::load_problems(fusion, {"pe_array.weight_format=int6"});
  ASSERT_EQ(odd.size(), 1u);
  EXPECT_NE(odd[0].find("precision_scaling"), std::string::npos) << odd[0];
  const auto typo = testing::load_problems(fusion, {"pe_array.precision_scaling=fuson"});
  ASSERT_EQ(typo.size(), 1u);
  EXPECT_NE(typo[0].find("fusion"), std::string::npos) << typo[0];
  // serial_operand belongs to bit_serial.
  const auto stray = testing::load_problems(fusion, {"pe_array.serial_operand=weights"});
  ASSERT_EQ(stray.size(), 1u);
  EXPECT_NE(stray[0].find("serial_operand"), std::string::npos) << stray[0];
  const ArchSpec serial = load_arch(testing::write_temp(fusion),
                                    {config::Override::parse("pe_array.precision_scaling=bit_serial"),
                                     config::Override::parse("pe_array.serial_operand=both")});
  EXPECT_EQ(serial.pe_array.serial_operand, SerialOperand::Both);
}

TEST(PrecisionScaling, DvafsNeedsAScalablePe) {
  const auto plain = testing::load_problems(testing::kValidArch, {"pe_array.dvafs=true"});
  ASSERT_EQ(plain.size(), 1u);
  EXPECT_NE(plain[0].find("pe_array.dvafs"), std::string::npos) << plain[0];
  EXPECT_TRUE(load_arch(testing::write_temp(testing::kValidArch), {config::Override::parse("pe_array.dvafs=true"),
                                                                   config::Override::parse("pe_array.precision_scaling=subword")})
                  .pe_array.dvafs);
}

TEST(PrecisionScaling, ALayerTheKindCannotServeIsAnErrorNamingTheLayer) {
  const ArchSpec a = load_arch(testing::write_temp(testing::replace(
      testing::kValidArch, "  dataflow: os\n", "  dataflow: os\n  precision_scaling: fusion\n")));
  const auto net = workload::load_yaml_network(config::Document::parse(
      "name: n\ninput: {channels: 1, height: 4, width: 4}\nlayers:\n"
      "  - {name: ok, type: fc, out_features: 2, weight_format: int4}\n"
      "  - {name: three, type: fc, out_features: 2, weight_format: int3}\n",
      "n.yaml"));
  try {
    check_network(a, net);
    FAIL() << "int3 on 2-bit bricks";
  } catch (const config::InputError& e) {
    ASSERT_EQ(e.diagnostics().size(), 1u);
    EXPECT_EQ(e.diagnostics()[0].key_path, "three");
    EXPECT_EQ(e.diagnostics()[0].where.line, 5);
    EXPECT_NE(e.diagnostics()[0].message.find("int3"), std::string::npos);
  }
}

}  // namespace
}  // namespace qarch::arch
