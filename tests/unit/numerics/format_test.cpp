#include "numerics/format.hpp"

#include <gtest/gtest.h>

#include <string>

namespace qarch::numerics {
namespace {

TEST(FormatParse, EveryExampleRoundTrips) {
  for (const std::string& s : format_examples()) {
    EXPECT_EQ(Format::parse(s).to_string(), s);
  }
}

TEST(FormatParse, GeneralFormsRoundTrip) {
  for (const char* s : {"int1", "int32", "uint1", "uint32", "fixed8_0", "fixed8_8", "fixed32_16",
                        "fp<2,1>", "fp<8,23>", "fp<5,2>", "fp<4,3>", "fp<3,28>", "posit<2,0>",
                        "posit<32,4>", "posit16_2", "pow2_2", "pow2_8", "quire<32,2>",
                        "quire16_1", "fp8_e5m2", "fp8_e4m3"}) {
    EXPECT_EQ(Format::parse(s).to_string(), s) << s;
  }
}

TEST(FormatParse, PropertiesOfNamedFormats) {
  const Format fp16 = Format::parse("fp16");
  EXPECT_EQ(fp16.kind(), FormatKind::Float);
  EXPECT_EQ(fp16.bits(), 16);
  EXPECT_EQ(fp16.exponent_bits(), 5);
  EXPECT_EQ(fp16.mantissa_bits(), 10);
  EXPECT_EQ(fp16.exponent_bias(), 15);
  EXPECT_TRUE(fp16.has_infinity());
  EXPECT_EQ(fp16, Format::parse("fp<5,10>"));
  EXPECT_EQ(Format::parse("bf16"), Format::parse("fp<8,7>"));
  EXPECT_EQ(Format::parse("fp32").bits(), 32);
  EXPECT_EQ(Format::parse("fp8_e5m2"), Format::parse("fp<5,2>"));
  const Format e4m3 = Format::parse("fp8_e4m3");
  EXPECT_NE(e4m3, Format::parse("fp<4,3>"));
  EXPECT_TRUE(e4m3.is_ocp_e4m3());
  EXPECT_FALSE(e4m3.has_infinity());
  EXPECT_TRUE(e4m3.has_nan());
  EXPECT_EQ(Format::parse("posit8_1"), Format::parse("posit<8,1>"));
  EXPECT_EQ(Format::parse("posit<8,1>").bits(), 8);
  EXPECT_EQ(Format::parse("quire<32,2>").bits(), 512);
  EXPECT_EQ(Format::parse("quire8_1").kind(), FormatKind::Quire);
  EXPECT_FALSE(Format::parse("quire8_1").is_storage_format());
  EXPECT_EQ(Format::parse("binary").bits(), 1);
  EXPECT_EQ(Format::parse("ternary").bits(), 2);
  EXPECT_EQ(Format::parse("pow2_4").bits(), 4);
  EXPECT_EQ(Format::parse("pow2_4").exponent_bits(), 3);
  EXPECT_EQ(Format::parse("fixed16_8").fraction_bits(), 8);
  EXPECT_TRUE(Format::parse("fixed16_8").is_integer_like());
  EXPECT_TRUE(Format::parse("uint4").is_integer_like());
  EXPECT_FALSE(Format::parse("uint4").is_signed());
  EXPECT_FALSE(Format::parse("pow2_4").is_integer_like());
  EXPECT_TRUE(Format::parse("pow2_4").is_integer_valued());
  EXPECT_FALSE(Format::parse("fixed16_8").is_integer_valued());
  EXPECT_EQ(Format::parse("int32").code_mask(), 0xFFFFFFFFu);
  EXPECT_EQ(Format::parse("int4").code_mask(), 0xFu);
}

TEST(FormatParse, RejectsWithAHelpfulMessage) {
  for (const char* s : {"", "int", "int0", "int33", "int08", "uint0", "fixed8", "fixed8_9",
                        "fp<1,3>", "fp<9,3>", "fp<8,24>", "fp<5,0>", "fp<5, 10>", "fp8",
                        "posit<1,0>", "posit<8,5>", "posit<33,2>", "posit8", "pow2_1", "pow2_9",
                        "INT8", " int8", "int8 ", "float", "quire<8,5>", "bf8"}) {
    EXPECT_THROW(Format::parse(s), FormatError) << s;
  }
  try {
    Format::parse("itn8");
    FAIL();
  } catch (const FormatError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("'itn8'"), std::string::npos) << what;
    EXPECT_NE(what.find("fp<e,m>"), std::string::npos) << what;
    EXPECT_NE(what.find("did you mean 'int8'"), std::string::npos) << what;
  }
  try {
    Format::parse("int64");
    FAIL();
  } catch (const FormatError& e) {
    EXPECT_NE(std::string(e.what()).find("1..32"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace qarch::numerics
