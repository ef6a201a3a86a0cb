// Known values from the literature, overflow and special values, stochastic rounding, and
// sampled checks of the 32-bit formats.

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>

#include "numerics/codec.hpp"
#include "reference.hpp"

namespace qarch::numerics {
namespace {

Format f(const char* s) { return Format::parse(s); }

TEST(KnownValues, OcpFp8E4M3) {
  // OCP 8-bit Floating Point Specification (2023), table of E4M3 values.
  const Format e4m3 = f("fp8_e4m3");
  EXPECT_EQ(decode(e4m3, 0x7E), 448.0);                   // max normal S.1111.110
  EXPECT_EQ(decode(e4m3, 0x08), std::ldexp(1.0, -6));     // min normal
  EXPECT_EQ(decode(e4m3, 0x07), 0.875 * std::ldexp(1.0, -6));  // max subnormal
  EXPECT_EQ(decode(e4m3, 0x01), std::ldexp(1.0, -9));     // min subnormal
  EXPECT_EQ(decode(e4m3, 0x38), 1.0);
  EXPECT_EQ(decode(e4m3, 0x78), 256.0);  // exponent field 1111 is a normal binade
  EXPECT_TRUE(std::isnan(decode(e4m3, 0x7F)));
  EXPECT_TRUE(std::isnan(decode(e4m3, 0xFF)));
  EXPECT_EQ(decode(e4m3, 0xFE), -448.0);
  EXPECT_EQ(max_value(e4m3), 448.0);
  // No infinities: saturate by default, NaN under the non-saturating mode.
  EXPECT_EQ(quantize(e4m3, INFINITY), 0x7Eu);
  EXPECT_EQ(quantize(e4m3, -1e9), 0xFEu);
  EXPECT_EQ(encode(e4m3, 1e9, Rounding::NearestEven, Overflow::Infinity).code, 0x7Fu);
  EXPECT_EQ(quantize(e4m3, 464.0), 0x7Eu);  // the tie above 448 goes to the even code 0x7E
  EXPECT_TRUE(encode(e4m3, 465.0, Rounding::NearestEven, Overflow::Saturate).overflow);
  EXPECT_FALSE(encode(e4m3, 464.0, Rounding::NearestEven, Overflow::Saturate).overflow);
}

TEST(KnownValues, OcpFp8E5M2) {
  const Format e5m2 = f("fp8_e5m2");
  EXPECT_EQ(decode(e5m2, 0x7B), 57344.0);
  EXPECT_EQ(decode(e5m2, 0x04), std::ldexp(1.0, -14));
  EXPECT_EQ(decode(e5m2, 0x01), std::ldexp(1.0, -16));
  EXPECT_EQ(decode(e5m2, 0x3C), 1.0);
  EXPECT_EQ(decode(e5m2, 0x7C), INFINITY);
  EXPECT_EQ(decode(e5m2, 0xFC), -INFINITY);
  for (std::uint32_t c : {0x7Du, 0x7Eu, 0x7Fu, 0xFDu}) EXPECT_TRUE(std::isnan(decode(e5m2, c)));
  EXPECT_EQ(quantize(e5m2, 1e6), 0x7Cu);
  EXPECT_EQ(encode(e5m2, 1e6, Rounding::NearestEven, Overflow::Saturate).code, 0x7Bu);
}

TEST(KnownValues, Ieee16) {
  EXPECT_EQ(decode(f("fp16"), 0x3C00), 1.0);
  EXPECT_EQ(decode(f("fp16"), 0x7BFF), 65504.0);
  EXPECT_EQ(decode(f("fp16"), 0x0001), std::ldexp(1.0, -24));
  EXPECT_EQ(decode(f("bf16"), 0x3F80), 1.0);
  EXPECT_EQ(decode(f("bf16"), 0x7F7F), 0x1.FEp127);
  EXPECT_EQ(quantize(f("fp16"), 65519.99), 0x7BFFu);
  EXPECT_EQ(quantize(f("fp16"), 65520.0), 0x7C00u);  // IEEE: the tie overflows to infinity
  EXPECT_EQ(encode(f("fp16"), 65520.0, Rounding::TowardZero, Overflow::Infinity).code, 0x7BFFu);
  EXPECT_TRUE(encode(f("fp16"), 65520.0, Rounding::NearestEven, Overflow::Saturate).overflow);
  EXPECT_EQ(quantize(f("fp16"), -0.0), 0x8000u);
  EXPECT_EQ(quantize(f("fp16"), std::ldexp(1.0, -26)), 0x0000u);  // below half the min subnormal
  EXPECT_EQ(quantize(f("fp16"), std::nextafter(std::ldexp(1.0, -25), 1.0)), 0x0001u);
}

TEST(KnownValues, PositTables) {
  // posit<8,0>: useed = 2; posit<8,1>: useed 4; posit<8,2>: useed 16 (Posit Standard 2022).
  const Format p80 = f("posit<8,0>");
  EXPECT_EQ(decode(p80, 0x40), 1.0);
  EXPECT_EQ(decode(p80, 0x50), 1.5);
  EXPECT_EQ(decode(p80, 0x48), 1.25);
  EXPECT_EQ(decode(p80, 0x60), 2.0);
  EXPECT_EQ(decode(p80, 0x20), 0.5);
  EXPECT_EQ(decode(p80, 0x7F), 64.0);
  EXPECT_EQ(decode(p80, 0x01), 1.0 / 64);
  EXPECT_EQ(decode(p80, 0xC0), -1.0);
  EXPECT_EQ(decode(p80, 0xFF), -1.0 / 64);
  EXPECT_TRUE(std::isnan(decode(p80, 0x80)));
  EXPECT_EQ(decode(f("posit<8,1>"), 0x7F), 4096.0);
  EXPECT_EQ(decode(f("posit<8,1>"), 0x01), 1.0 / 4096);
  EXPECT_EQ(decode(f("posit<8,2>"), 0x7F), 16777216.0);
  EXPECT_EQ(decode(f("posit<8,2>"), 0x01), std::ldexp(1.0, -24));
  EXPECT_EQ(decode(f("posit<16,1>"), 0x7FFF), std::ldexp(1.0, 28));
  EXPECT_EQ(decode(f("posit<16,1>"), 0x4000), 1.0);
  EXPECT_EQ(decode(f("posit<32,2>"), 0x40000000), 1.0);
  EXPECT_EQ(decode(f("posit<32,2>"), 0x7FFFFFFF), std::ldexp(1.0, 120));
  EXPECT_EQ(decode(f("posit<32,2>"), 0x00000001), std::ldexp(1.0, -120));
  EXPECT_EQ(quantize(f("posit<32,2>"), M_PI), 0x4C90FDAAu);  // pi in posit32
  // Never rounds a non-zero value to zero or NaR; saturation is counted only above maxpos.
  EXPECT_EQ(quantize(p80, 1e-30), 0x01u);
  EXPECT_EQ(quantize(p80, -1e-30), 0xFFu);
  EXPECT_EQ(encode(p80, 1e-30, Rounding::TowardZero, Overflow::Saturate).code, 0x01u);
  const Encoded big = encode(p80, 1e30, Rounding::NearestEven, Overflow::Saturate);
  EXPECT_EQ(big.code, 0x7Fu);
  EXPECT_TRUE(big.overflow);
  EXPECT_FALSE(encode(p80, 64.0, Rounding::NearestEven, Overflow::Saturate).overflow);
  EXPECT_EQ(quantize(p80, NAN), 0x80u);
  EXPECT_EQ(quantize(p80, INFINITY), 0x80u);
  EXPECT_EQ(quantize(p80, 0.0), 0x00u);
}

TEST(Overflow, IntegersSaturateOrWrapAndSaySo) {
  const Format i8 = f("int8");
  EXPECT_EQ(decode(i8, quantize(i8, 300)), 127);
  EXPECT_EQ(decode(i8, quantize(i8, -300)), -128);
  EXPECT_TRUE(encode(i8, 127.5, Rounding::NearestEven, Overflow::Saturate).overflow);  // tie to 128
  EXPECT_FALSE(encode(i8, 127.49, Rounding::NearestEven, Overflow::Saturate).overflow);
  EXPECT_FALSE(encode(i8, 127.9, Rounding::TowardZero, Overflow::Saturate).overflow);
  const Encoded wrapped = encode(i8, 300, Rounding::NearestEven, Overflow::Wrap);
  EXPECT_EQ(decode(i8, wrapped.code), 44);
  EXPECT_TRUE(wrapped.overflow);
  EXPECT_EQ(decode(i8, encode(i8, -129, Rounding::NearestEven, Overflow::Wrap).code), 127);
  EXPECT_EQ(decode(f("uint8"), encode(f("uint8"), -1, Rounding::NearestEven, Overflow::Wrap).code), 255);
  EXPECT_EQ(decode(f("uint8"), quantize(f("uint8"), -1)), 0);
  EXPECT_EQ(decode(f("int32"), encode(f("int32"), 2147483648.0, Rounding::NearestEven, Overflow::Wrap).code),
            -2147483648.0);
  EXPECT_EQ(decode(f("fixed8_4"), quantize(f("fixed8_4"), 100)), 127.0 / 16);
  EXPECT_EQ(decode(f("fixed8_4"), quantize(f("fixed8_4"), 0.03125)), 0.0);   // tie to even 0
  EXPECT_EQ(decode(f("fixed8_4"), quantize(f("fixed8_4"), 0.09375)), 0.125);  // tie to even 2
  const Encoded nan = encode(i8, NAN, Rounding::NearestEven, Overflow::Saturate);
  EXPECT_EQ(nan.code, 0u);
  EXPECT_TRUE(nan.overflow);
  EXPECT_EQ(decode(i8, quantize(i8, INFINITY)), 127);
}

TEST(Overflow, Pow2TernaryBinary) {
  const Format p4 = f("pow2_4");  // 0, +-1, 2, ..., 64
  EXPECT_EQ(max_value(p4), 64.0);
  EXPECT_EQ(decode(p4, quantize(p4, 95)), 64.0);
  EXPECT_FALSE(encode(p4, 95, Rounding::NearestEven, Overflow::Saturate).overflow);
  EXPECT_TRUE(encode(p4, 96, Rounding::NearestEven, Overflow::Saturate).overflow);  // tie to field 8
  EXPECT_EQ(decode(p4, quantize(p4, -3)), -2.0);   // tie between 2 (field 2) and 4 (field 3)
  EXPECT_EQ(decode(p4, quantize(p4, 0.5)), 0.0);   // tie between 0 (field 0) and 1 (field 1)
  EXPECT_EQ(decode(p4, quantize(p4, 0.51)), 1.0);
  EXPECT_EQ(decode(p4, quantize(p4, 5.9)), 4.0);
  EXPECT_EQ(decode(p4, quantize(p4, 6.1)), 8.0);
  const Format t = f("ternary");
  EXPECT_EQ(decode(t, quantize(t, 0.7)), 1.0);
  EXPECT_EQ(decode(t, quantize(t, -0.7)), -1.0);
  EXPECT_EQ(decode(t, quantize(t, 0.2)), 0.0);
  EXPECT_EQ(decode(t, quantize(t, -42)), -1.0);
  const Format b = f("binary");
  EXPECT_EQ(decode(b, quantize(b, 0.0)), 1.0);
  EXPECT_EQ(decode(b, quantize(b, -0.001)), -1.0);
  EXPECT_EQ(decode(b, quantize(b, 17)), 1.0);
}

TEST(Overflow, ModesThatDoNotApplyAreRejected) {
  EXPECT_THROW(encode(f("fp16"), 1, Rounding::NearestEven, Overflow::Wrap), FormatError);
  EXPECT_THROW(encode(f("int8"), 1, Rounding::NearestEven, Overflow::Infinity), FormatError);
  EXPECT_THROW(encode(f("posit<8,1>"), 1, Rounding::NearestEven, Overflow::Wrap), FormatError);
  EXPECT_THROW(encode(f("int8"), 1, Rounding::Stochastic, Overflow::Saturate, nullptr), FormatError);
  EXPECT_THROW(encode(f("quire<8,1>"), 1, Rounding::NearestEven, Overflow::Saturate), FormatError);
}

TEST(Stochastic, UnbiasedBetweenTheTwoNeighboursAndReproducible) {
  for (const char* name : {"int8", "fp8_e4m3", "posit<8,1>", "pow2_4", "binary", "fixed8_4"}) {
    const Format fmt = f(name);
    const double x = fmt.kind() == FormatKind::Binary ? 0.5 : 1.3;
    const std::uint32_t lo_code = encode(fmt, x, Rounding::TowardZero, Overflow::Saturate).code;
    const double lo = decode(fmt, lo_code);
    const double hi = fmt.kind() == FormatKind::Binary ? 1.0
                      : fmt.kind() == FormatKind::Pow2 ? 2.0
                                                      : decode(fmt, lo_code + 1);
    const double expected_lo = fmt.kind() == FormatKind::Binary ? -1.0 : lo;
    Rng rng(42);
    double sum = 0;
    const int n = 200000;
    for (int i = 0; i < n; ++i) {
      const double v = decode(fmt, encode(fmt, x, Rounding::Stochastic, Overflow::Saturate, &rng).code);
      ASSERT_TRUE(v == expected_lo || v == hi) << name << " gave " << v;
      sum += v;
    }
    // Standard deviation of the mean is below (hi - lo) / (2 sqrt(n)); allow 5 of them.
    EXPECT_NEAR(sum / n, x, 5 * (hi - expected_lo) / (2 * std::sqrt(n))) << name;
    Rng a(7);
    Rng b(7);
    for (int i = 0; i < 100; ++i) {
      ASSERT_EQ(encode(fmt, x, Rounding::Stochastic, Overflow::Saturate, &a).code,
                encode(fmt, x, Rounding::Stochastic, Overflow::Saturate, &b).code);
    }
  }
}

// 32-bit formats: sampled. fp32 is checked against the machine's own float conversion.
TEST(Sampled, Fp32AgainstHardware) {
  const Format fp32 = f("fp32");
  Rng rng(1);
  for (int i = 0; i < 200000; ++i) {
    const auto code = static_cast<std::uint32_t>(rng.next());
    float expected = 0;
    std::memcpy(&expected, &code, sizeof expected);
    const double v = decode(fp32, code);
    if (std::isnan(expected)) {
      ASSERT_TRUE(std::isnan(v));
      continue;
    }
    ASSERT_EQ(v, static_cast<double>(expected));
    ASSERT_EQ(quantize(fp32, v), code);
    // A random double between neighbours rounds as the hardware's double -> float conversion.
    const double x = std::ldexp(static_cast<double>(rng.next() >> 11), static_cast<int>(rng.next() % 300) - 200);
    const double signed_x = (rng.next() & 1u) ? -x : x;
    const auto hw = static_cast<float>(signed_x);
    std::uint32_t hw_code = 0;
    std::memcpy(&hw_code, &hw, sizeof hw_code);
    ASSERT_EQ(quantize(fp32, signed_x), hw_code) << signed_x;
  }
}

TEST(Sampled, Posit32AgainstReference) {
  for (int es = 0; es <= 4; ++es) {
    const Format p = Format::make_posit(32, es);
    Rng rng(static_cast<std::uint64_t>(es) + 5);
    for (int i = 0; i < 20000; ++i) {
      const auto code = static_cast<std::uint32_t>(rng.next());
      const long double expected = reference::posit_value(code, 32, es);
      const double v = decode(p, code);
      if (std::isnan(expected)) {
        ASSERT_TRUE(std::isnan(v));
        continue;
      }
      ASSERT_EQ(static_cast<long double>(v), expected) << code;
      ASSERT_EQ(quantize(p, v), code);
      // The posit<33,es> value between code and code + 1 is the tie.
      if (code == 0x7FFFFFFFu || code == 0xFFFFFFFFu || code == 0x7FFFFFFFu - 0) continue;
      const long double tie = reference::posit_value((std::uint64_t{code} << 1) | 1u, 33, es);
      if (std::isnan(tie) || tie == 0) continue;
      const auto t = static_cast<double>(tie);
      if (static_cast<long double>(t) != tie) continue;
      const std::uint32_t even = (code & 1u) == 0 ? code : code + 1;
      ASSERT_EQ(quantize(p, t), even) << code;
    }
  }
}

TEST(Ranges, MaxLowestMinPositive) {
  EXPECT_EQ(max_value(f("int8")), 127);
  EXPECT_EQ(lowest_value(f("int8")), -128);
  EXPECT_EQ(lowest_value(f("uint8")), 0);
  EXPECT_EQ(max_value(f("fixed16_8")), 32767.0 / 256);
  EXPECT_EQ(min_positive(f("fixed16_8")), 1.0 / 256);
  EXPECT_EQ(max_value(f("fp32")), static_cast<double>(std::numeric_limits<float>::max()));
  EXPECT_EQ(min_positive(f("fp32")), static_cast<double>(std::numeric_limits<float>::denorm_min()));
  EXPECT_EQ(max_value(f("binary")), 1);
  EXPECT_EQ(lowest_value(f("binary")), -1);
  EXPECT_EQ(lowest_value(f("posit<8,1>")), -4096);
}

}  // namespace
}  // namespace qarch::numerics
