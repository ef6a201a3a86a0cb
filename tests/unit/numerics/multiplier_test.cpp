#include "numerics/multiplier.hpp"

#include <gtest/gtest.h>

namespace qarch::numerics {
namespace {

Format f(const char* s) { return Format::parse(s); }

TEST(MultiplierStyle, NamesRoundTrip) {
  for (const std::string& s : multiplier_names()) {
    EXPECT_EQ(MultiplierStyle::parse(s).to_string(), s);
  }
  EXPECT_EQ(MultiplierStyle::parse("mitchell_w6").kind(), MultiplierKind::Mitchell);
  EXPECT_EQ(MultiplierStyle::parse("mitchell_w6").truncation_bits(), 6);
  EXPECT_EQ(MultiplierStyle::parse("mitchell").truncation_bits(), 0);
  EXPECT_EQ(MultiplierStyle::parse("plam").kind(), MultiplierKind::Plam);
  EXPECT_EQ(MultiplierStyle::parse("mitchell_w12").to_string(), "mitchell_w12");
}

TEST(MultiplierStyle, RejectsUnknownNames) {
  for (const char* s : {"", "Exact", "mitchell_w", "mitchell_w0", "mitchell_w06", "mitchell_w32",
                        "shift-add", "booth"}) {
    EXPECT_THROW(MultiplierStyle::parse(s), FormatError) << s;
  }
  try {
    MultiplierStyle::parse("mitchel");
    FAIL();
  } catch (const FormatError& e) {
    EXPECT_NE(std::string(e.what()).find("did you mean 'mitchell'"), std::string::npos);
  }
}

TEST(CheckMac, AcceptsTheUsualPairings) {
  const auto ok = [](const char* style, const char* w, const char* a, const char* acc) {
    return !check_mac(MultiplierStyle::parse(style), f(w), f(a), f(acc)).has_value();
  };
  EXPECT_TRUE(ok("exact", "int8", "int8", "int32"));
  EXPECT_TRUE(ok("exact", "fp8_e4m3", "fp8_e5m2", "fp32"));
  EXPECT_TRUE(ok("exact", "bf16", "bf16", "fp32"));
  EXPECT_TRUE(ok("exact", "posit<8,1>", "posit8_1", "quire<8,1>"));
  EXPECT_TRUE(ok("exact", "posit<8,1>", "posit<16,1>", "quire16_1"));
  EXPECT_TRUE(ok("exact", "fixed8_4", "fixed8_4", "fixed32_8"));
  EXPECT_TRUE(ok("shift_add", "pow2_4", "int8", "int32"));
  EXPECT_TRUE(ok("shift_add", "ternary", "uint8", "int16"));
  EXPECT_TRUE(ok("xnor_popcount", "binary", "binary", "int16"));
  EXPECT_TRUE(ok("mitchell", "int8", "int8", "int32"));
  EXPECT_TRUE(ok("mitchell_w6", "bf16", "bf16", "fp32"));
  EXPECT_TRUE(ok("plam", "posit<8,1>", "posit<8,1>", "quire<8,1>"));
  EXPECT_TRUE(ok("plam", "posit<16,1>", "posit<16,1>", "fp32"));
}

TEST(CheckMac, ExplainsWhatIsWrong) {
  const auto why = [](const char* style, const char* w, const char* a, const char* acc) {
    return check_mac(MultiplierStyle::parse(style), f(w), f(a), f(acc)).value_or("");
  };
  EXPECT_EQ(why("shift_add", "int8", "int8", "int32"),
            "shift_add needs power-of-two weights (pow2_B, ternary or binary), got int8");
  EXPECT_NE(why("shift_add", "pow2_4", "fp16", "fp32").find("got fp16"), std::string::npos);
  EXPECT_NE(why("xnor_popcount", "binary", "int8", "int32").find("binary"), std::string::npos);
  EXPECT_NE(why("mitchell", "posit<8,1>", "int8", "fp32").find("use plam"), std::string::npos);
  EXPECT_NE(why("plam", "fp16", "fp16", "fp32").find("posit"), std::string::npos);
  EXPECT_NE(why("exact", "fp16", "int8", "int32").find("integer-valued"), std::string::npos);
  EXPECT_NE(why("exact", "fixed8_4", "fixed8_4", "fixed32_4").find("fractional bits"),
            std::string::npos);
  EXPECT_NE(why("exact", "posit<8,1>", "posit<8,2>", "quire<8,1>").find("es = 1"),
            std::string::npos);
  EXPECT_NE(why("exact", "int8", "int8", "pow2_4").find("cannot be an accumulator"),
            std::string::npos);
  EXPECT_NE(why("exact", "quire<8,1>", "int8", "int32").find("accumulator format"),
            std::string::npos);
}

}  // namespace
}  // namespace qarch::numerics
