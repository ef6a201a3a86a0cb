// Post-training quantization rules and the direct int/uint quantizer against numerics::encode.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <random>
#include <vector>

#include "func/ptq.hpp"
#include "func/rounding_thresholds.hpp"
#include "hwy/targets.h"

namespace qarch::func {
namespace {

using numerics::Format;

TEST(Ptq, ScaleRulesPerFormat) {
  EXPECT_DOUBLE_EQ(tensor_scale(Format::parse("int8"), 2.54, 0.1), 2.54 / 127);
  EXPECT_DOUBLE_EQ(tensor_scale(Format::parse("int4"), 1.4, 0.1), 1.4 / 7);
  EXPECT_DOUBLE_EQ(tensor_scale(Format::parse("uint8"), 5.1, 0.1), 5.1 / 255);
  EXPECT_DOUBLE_EQ(tensor_scale(Format::parse("pow2_4"), 1.28, 0.1), 1.28 / 64);
  EXPECT_DOUBLE_EQ(tensor_scale(Format::parse("binary"), 1.28, 0.1), 0.1);
  for (const char* f : {"fp32", "bf16", "fp16", "fp8_e4m3", "posit8_1", "fixed16_8"}) {
    EXPECT_EQ(tensor_scale(Format::parse(f), 3.0, 0.5), 1.0) << f;
  }
  EXPECT_EQ(tensor_scale(Format::parse("int8"), 0.0, 0.0), 1.0);  // all-zero tensor
}

TEST(Ptq, DirectIntegerQuantizerEqualsEncode) {
  std::mt19937 rng(3);
  std::uniform_real_distribution<double> u(-300.0, 300.0);
  const double specials[] = {0.5, 1.5, 2.5, -0.5, -2.5, 127.5, -128.5, 126.5, 255.5, -0.0,
                             std::numeric_limits<double>::infinity(),
                             -std::numeric_limits<double>::infinity(),
                             std::numeric_limits<double>::quiet_NaN(), 1e300, -1e300,
                             0.49999999999999994, -0.49999999999999994, 0x1p52 - 0.5, 0x1p52 + 1, -0x1p31 - 0.5,
                             0x1p31 - 0.5};
  for (const char* name : {"int8", "int4", "uint8", "uint4", "int16", "int32", "int1"}) {
    const Format f = Format::parse(name);
    const ValueQuantizer q(f);
    std::int64_t saturated = 0, want_saturated = 0;
    const auto check = [&](double v) {
      const numerics::Encoded e = numerics::encode(f, v, numerics::Rounding::NearestEven, numerics::Overflow::Saturate);
      ASSERT_EQ(q(v, saturated), e.code) << name << " " << v;
      want_saturated += e.overflow ? 1 : 0;
    };
    for (const double v : specials) check(v);
    for (int i = 0; i < 20000; ++i) check(i % 2 ? u(rng) : std::round(u(rng)) + 0.5);
    EXPECT_EQ(saturated, want_saturated) << name;
  }
}

TEST(Ptq, QuantizingAnArrayEqualsQuantizingEachValue) {
  std::mt19937 rng(5);
  std::normal_distribution<double> normal(0.0, 40.0);
  std::vector<double> in(3000);
  for (double& v : in) v = normal(rng);
  in[7] = std::numeric_limits<double>::quiet_NaN();
  in[8] = -0.0;
  in[9] = 1e300;
  for (std::size_t i = 10; i < 40; ++i) in[i] = static_cast<double>(i) - 25.5;  // ties
  for (std::size_t i = 40; i < 80; ++i) in[i] = std::ldexp(i % 2 ? 1.37 : -1.5, 14 - static_cast<int>(i / 2));  // float subnormals
  in[80] = -in[80];  // -0
  in[81] = 0x1.7p-12 * 0.37;  // a bf16 tie
  // Integer and small float formats take SIMD lanes (simd_quantize.hpp): every instruction set
  // Highway compiled.
  for (const std::int64_t target : hwy::SupportedAndGeneratedTargets()) {
    hwy::SetSupportedTargetsForTest(target);
    for (const char* name : {"int8", "uint4", "int16", "int32", "uint8", "fp8_e4m3", "fp8_e5m2", "fp16", "bf16", "fp<3,2>", "fp<8,20>"}) {
      const ValueQuantizer q(Format::parse(name));
      std::vector<std::uint32_t> codes(in.size() - 3);  // not a multiple of the vector length
      std::int64_t saturated = 0, want_saturated = 0;
      q.quantize(in.data() + 1, 0.37, codes.size(), codes.data(), saturated);
      for (std::size_t i = 0; i < codes.size(); ++i) {
        ASSERT_EQ(codes[i], q(in[i + 1] / 0.37, want_saturated)) << hwy::TargetName(target) << " " << name << " " << in[i + 1];
      }
      EXPECT_EQ(saturated, want_saturated) << name;
      // The values of those codes, straight into int16 (formats whose values fit it).
      std::vector<std::int16_t> values(codes.size());
      std::int64_t value_saturated = 0;
      const Format f = Format::parse(name);
      const bool fits = q.quantize_integers(in.data() + 1, 0.37, values.size(), values.data(), value_saturated);
      const bool integer = f.kind() == numerics::FormatKind::Int || f.kind() == numerics::FormatKind::UInt;
      ASSERT_EQ(fits, integer && numerics::lowest_value(f) >= -32768 && numerics::max_value(f) <= 32767) << name;
      if (!fits) continue;
      for (std::size_t i = 0; i < values.size(); ++i) {
        ASSERT_EQ(values[i], numerics::decode(f, codes[i])) << hwy::TargetName(target) << " " << name << " " << in[i + 1];
      }
      EXPECT_EQ(value_saturated, want_saturated) << name;
    }
  }
  std::int64_t unused = 0;
  std::vector<std::int16_t> unused_values(8);
  EXPECT_FALSE(ValueQuantizer(Format::parse("fp8_e4m3")).quantize_integers(in.data(), 1.0, 8, unused_values.data(), unused));
  hwy::SetSupportedTargetsForTest(0);
  for (const char* name : {"int8", "uint4", "int16", "fp8_e4m3", "bf16", "fp32", "posit8_1", "binary", "pow2_4"}) {
    const ValueQuantizer q(Format::parse(name));
    for (const double scale : {1.0, 0.37}) {
      std::vector<std::uint32_t> codes(in.size());
      std::int64_t saturated = 0, want_saturated = 0;
      q.quantize(in.data(), scale, in.size(), codes.data(), saturated);
      for (std::size_t i = 0; i < in.size(); ++i) {
        ASSERT_EQ(codes[i], q(in[i] / scale, want_saturated)) << name << " " << in[i];
      }
      EXPECT_EQ(saturated, want_saturated) << name;
    }
  }
}

// The threshold search posit quantization uses, against encode: every value, its neighbours,
// the midpoints between values (ties) and random values across the range.
TEST(Ptq, RoundingThresholdsGiveEncodesCodes) {
  for (const char* name : {"posit<8,0>", "posit<8,1>", "posit<8,2>", "posit<6,1>", "posit<5,0>"}) {
    const Format f = Format::parse(name);
    const std::shared_ptr<const RoundingThresholds> t = RoundingThresholds::of(f);
    ASSERT_TRUE(t) << name;
    EXPECT_EQ(RoundingThresholds::of(f), t);  // built once
    const auto check = [&](double x) {
      if (x < t->lowest() || x > t->highest()) return;
      const numerics::Encoded e = numerics::encode(f, x, numerics::Rounding::NearestEven, numerics::Overflow::Saturate);
      ASSERT_EQ(t->code(x), e.code) << name << " " << x;
      ASSERT_FALSE(e.overflow) << name << " " << x;
    };
    std::vector<double> values;
    for (std::uint32_t c = 0; c < f.code_count(); ++c) {
      const double v = numerics::decode(f, c);
      if (std::isfinite(v)) values.push_back(v);
    }
    std::sort(values.begin(), values.end());
    for (std::size_t i = 0; i < values.size(); ++i) {
      check(values[i]);
      check(std::nextafter(values[i], 1e300));
      check(std::nextafter(values[i], -1e300));
      if (i > 0) check(values[i - 1] + (values[i] - values[i - 1]) / 2);
    }
    check(0.0);
    check(-0.0);
    check(1e-300);
    check(-1e-300);
    std::mt19937 rng(8);
    std::uniform_real_distribution<double> u(t->lowest(), t->highest());
    std::uniform_int_distribution<int> e(-40, 10);
    for (int i = 0; i < 20000; ++i) check(i % 2 ? u(rng) : std::ldexp(u(rng), e(rng)));
  }
  EXPECT_FALSE(RoundingThresholds::of(Format::parse("posit<16,1>")));
}

class FloatQuantizer : public ::testing::TestWithParam<const char*> {};

TEST_P(FloatQuantizer, EqualsEncode) {
  const Format f = Format::parse(GetParam());
  const ValueQuantizer q(f);
  std::mt19937_64 rng(4);
  std::uniform_int_distribution<int> exponent(-160, 140);  // subnormals, overflow
  std::uniform_real_distribution<double> mantissa(-2.0, 2.0);
  const double flt_max = static_cast<double>(std::numeric_limits<float>::max());
  const double specials[] = {0.0, -0.0, flt_max, -flt_max, std::nextafter(flt_max, 1e300), 0x1.ffffffp127,
                             std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity(),
                             std::numeric_limits<double>::quiet_NaN(), 0x1p-149, 0x1p-150, 0x1.8p-150, -0x1p-151,
                             1.0 + 0x1p-24, 1.0 + 0x1.8p-24};
  std::int64_t saturated = 0, want_saturated = 0;
  const auto check = [&](double v) {
    const numerics::Encoded e = numerics::encode(f, v, numerics::Rounding::NearestEven, numerics::Overflow::Saturate);
    ASSERT_EQ(q(v, saturated), e.code) << GetParam() << " " << v;
    want_saturated += e.overflow ? 1 : 0;
  };
  for (const double v : specials) check(v);
  // Every code's value, its neighbours and the midpoints to the next code (ties).
  if (f.bits() <= 16) {
    for (std::uint64_t c = 0; c < f.code_count(); ++c) {
      const double v = numerics::decode(f, static_cast<std::uint32_t>(c));
      const double next = numerics::decode(f, static_cast<std::uint32_t>((c + 1) & f.code_mask()));
      check(v);
      check(std::nextafter(v, 1e300));
      check(std::nextafter(v, -1e300));
      if (std::isfinite(v) && std::isfinite(next)) check(v + (next - v) / 2);
    }
  }
  const int emax = f.bits() == 32 ? 140 : 20;
  std::uniform_int_distribution<int> around(-emax - 8, emax);
  for (int i = 0; i < 200000; ++i) check(std::ldexp(mantissa(rng), i % 2 ? exponent(rng) : around(rng)));
  EXPECT_EQ(saturated, want_saturated);
  EXPECT_GT(saturated, 0);
}

INSTANTIATE_TEST_SUITE_P(Ptq, FloatQuantizer,
                         ::testing::Values("fp32", "bf16", "fp16", "fp8_e4m3", "fp8_e5m2", "fp<4,3>", "fp<3,2>"));

TEST(Ptq, ZeroTestMatchesDecode) {
  for (const char* name : {"int8", "uint4", "fp8_e4m3", "bf16", "posit8_1", "pow2_4", "ternary", "binary", "fixed16_8"}) {
    const Format f = Format::parse(name);
    const ZeroTest z(f);
    for (std::uint64_t c = 0; c < f.code_count(); ++c) {
      const bool zero = numerics::decode(f, static_cast<std::uint32_t>(c)) == 0.0;
      ASSERT_EQ(z(static_cast<std::uint32_t>(c)), zero) << name << " " << c;
      ASSERT_EQ((static_cast<std::uint32_t>(c) & z.pattern_mask()) == z.pattern_value(), zero) << name << " " << c;
    }
  }
  std::mt19937 rng(5);
  for (const char* name : {"fp32", "int32", "posit<32,2>", "fixed24_8"}) {
    const Format f = Format::parse(name);
    const ZeroTest z(f);
    for (const std::uint32_t c : {0u, 0x80000000u, 1u, 0x7fffffffu, 0xffffffffu}) {
      EXPECT_EQ(z(c & f.code_mask()), numerics::decode(f, c & f.code_mask()) == 0.0) << name << " " << c;
    }
    for (int i = 0; i < 1000; ++i) {
      const std::uint32_t c = static_cast<std::uint32_t>(rng()) & f.code_mask();
      ASSERT_EQ(z(c), numerics::decode(f, c) == 0.0) << name << " " << c;
      ASSERT_EQ((c & z.pattern_mask()) == z.pattern_value(), numerics::decode(f, c) == 0.0) << name << " " << c;
    }
  }
}

}  // namespace
}  // namespace qarch::func
