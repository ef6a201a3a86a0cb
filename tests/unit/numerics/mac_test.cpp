// Multiplier styles against independent formulas, accumulator semantics, and the fast paths
// of Mac::dot() against one-by-one generic accumulation.

#include "numerics/mac.hpp"

#include <gtest/gtest.h>

#include <bitset>
#include <cmath>
#include <string>
#include <vector>

#include "numerics/codec.hpp"
#include "numerics/quire.hpp"
#include "reference.hpp"

namespace qarch::numerics {
namespace {

Format f(const char* s) { return Format::parse(s); }
MultiplierStyle style(const char* s) { return MultiplierStyle::parse(s); }

// Mitchell's formula on positive reals, written from the paper with logarithms.
long double mitchell_reference(long double a, long double b, int truncation_bits) {
  const auto k1 = static_cast<int>(std::floor(std::log2(a)));
  const auto k2 = static_cast<int>(std::floor(std::log2(b)));
  long double x1 = a / std::ldexp(1.0L, k1) - 1;
  long double x2 = b / std::ldexp(1.0L, k2) - 1;
  if (truncation_bits > 0) {
    x1 = std::floor(std::ldexp(x1, truncation_bits)) / std::ldexp(1.0L, truncation_bits);
    x2 = std::floor(std::ldexp(x2, truncation_bits)) / std::ldexp(1.0L, truncation_bits);
  }
  const long double s = x1 + x2;
  return s < 1 ? std::ldexp(1.0L + s, k1 + k2) : std::ldexp(s, k1 + k2 + 1);
}

TEST(Mitchell, MatchesTheFormulaOnEveryInt8Pair) {
  for (const char* name : {"mitchell", "mitchell_w3"}) {
    const Mac mac(style(name), f("int8"), f("int8"), f("int32"));
    const int k = mac.style().truncation_bits();
    for (int w = -128; w < 128; ++w) {
      for (int a = -128; a < 128; ++a) {
        const double got = mac.product(quantize(f("int8"), w), quantize(f("int8"), a)).to_double();
        long double expected = 0;
        if (w != 0 && a != 0) {
          expected = mitchell_reference(std::abs(w), std::abs(a), k);
          if ((w < 0) != (a < 0)) expected = -expected;
        }
        ASSERT_EQ(static_cast<long double>(got), expected) << name << " " << w << " x " << a;
      }
    }
  }
}

TEST(Mitchell, MaximumRelativeErrorIsOneNinth) {
  // Mitchell (1962): the approximation never overestimates and is at worst 11.1% low, at
  // x1 = x2 = 0.5 (e.g. 3 x 3 -> 8).
  const Mac mac(style("mitchell"), f("uint8"), f("uint8"), f("uint32"));
  double worst = 0;
  for (std::uint32_t a = 1; a < 256; ++a) {
    for (std::uint32_t b = 1; b < 256; ++b) {
      const double rel = (mac.product(a, b).to_double() - a * b) / (a * b);
      ASSERT_LE(rel, 0.0);
      worst = std::fmin(worst, rel);
    }
  }
  EXPECT_DOUBLE_EQ(worst, -1.0 / 9);
  EXPECT_EQ(mac.product(3, 3).to_double(), 8.0);
}

TEST(Mitchell, FloatsApplyItToTheSignificands) {
  const Mac mac(style("mitchell_w6"), f("bf16"), f("bf16"), f("fp32"));
  Rng rng(3);
  for (int i = 0; i < 20000; ++i) {
    const auto w = static_cast<std::uint32_t>(rng.next() & 0xFFFF);
    const auto a = static_cast<std::uint32_t>(rng.next() & 0xFFFF);
    const long double x = reference::float_value(w, 8, 7, false);
    const long double y = reference::float_value(a, 8, 7, false);
    const double got = mac.product(w, a).to_double();
    if (std::isnan(x) || std::isnan(y) || (std::isinf(x) && y == 0) || (x == 0 && std::isinf(y))) {
      ASSERT_TRUE(std::isnan(got));
    } else if (std::isinf(x) || std::isinf(y) || x == 0 || y == 0) {
      ASSERT_EQ(static_cast<long double>(got), x * y);
    } else {
      long double expected = mitchell_reference(std::fabs(x), std::fabs(y), 6);
      if ((x < 0) != (y < 0)) expected = -expected;
      ASSERT_EQ(static_cast<long double>(got), expected) << x << " x " << y;
    }
  }
  EXPECT_EQ(mac.product(quantize(f("bf16"), 1.5), quantize(f("bf16"), 1.5)).to_double(), 2.0);
}

TEST(Plam, MatchesMitchellOnPositFractionsForEveryPosit8Pair) {
  const Format p8 = f("posit<8,1>");
  const Mac mac(style("plam"), p8, p8, f("quire<8,1>"));
  for (std::uint32_t w = 0; w < 256; ++w) {
    for (std::uint32_t a = 0; a < 256; ++a) {
      const long double x = reference::posit_value(w, 8, 1);
      const long double y = reference::posit_value(a, 8, 1);
      const double got = mac.product(w, a).to_double();
      if (std::isnan(x) || std::isnan(y)) {
        ASSERT_TRUE(std::isnan(got));
        continue;
      }
      long double expected = 0;
      if (x != 0 && y != 0) {
        expected = mitchell_reference(std::fabs(x), std::fabs(y), 0);
        if ((x < 0) != (y < 0)) expected = -expected;
      }
      ASSERT_EQ(static_cast<long double>(got), expected) << w << " x " << a;
    }
  }
}

TEST(ShiftAdd, IsTheActivationShiftedByTheExponent) {
  const Mac mac(style("shift_add"), f("pow2_4"), f("int8"), f("int32"));
  for (std::uint32_t w = 0; w < 16; ++w) {
    for (int a = -128; a < 128; ++a) {
      const std::uint32_t field = w & 7u;
      const long long shifted = field == 0 ? 0 : static_cast<long long>(a) * (1LL << (field - 1));
      const long long expected = (w & 8u) ? -shifted : shifted;
      ASSERT_EQ(mac.product(w, quantize(f("int8"), a)).to_double(), static_cast<double>(expected));
    }
  }
}

TEST(XnorPopcount, DotIsTwicePopcountMinusLength) {
  const Mac mac(style("xnor_popcount"), f("binary"), f("binary"), f("int16"));
  Rng rng(9);
  for (int trial = 0; trial < 50; ++trial) {
    const std::uint64_t wbits = rng.next();
    const std::uint64_t abits = rng.next();
    std::vector<std::uint32_t> w(64);
    std::vector<std::uint32_t> a(64);
    for (int i = 0; i < 64; ++i) {
      w[i] = (wbits >> i) & 1u;
      a[i] = (abits >> i) & 1u;
    }
    Accumulator acc = mac.make_accumulator();
    mac.dot(acc, w.data(), a.data(), 64);
    const auto popcount = static_cast<int>(std::bitset<64>(~(wbits ^ abits)).count());
    EXPECT_EQ(acc.value(), 2 * popcount - 64);
  }
}

TEST(Accumulator, IntegerSaturatesOrWrapsAndCounts) {
  Accumulator sat(f("int16"));
  sat.add(30000.0);
  sat.add(30000.0);
  EXPECT_EQ(sat.value(), 32767);
  EXPECT_EQ(sat.overflow_count(), 1u);
  sat.add(-70000.0);
  EXPECT_EQ(sat.value(), -32768);
  EXPECT_EQ(sat.overflow_count(), 2u);
  Accumulator wrap(f("int16"), Overflow::Wrap);
  wrap.add(30000.0);
  wrap.add(30000.0);
  EXPECT_EQ(wrap.value(), 60000 - 65536);
  EXPECT_EQ(wrap.overflow_count(), 1u);
  EXPECT_EQ(wrap.code(), static_cast<std::uint32_t>(60000));
  Accumulator fixed(f("fixed16_4"));
  fixed.add(0.25);
  fixed.add(-1.5);
  EXPECT_EQ(fixed.value(), -1.25);
  EXPECT_THROW(Accumulator(f("pow2_4")), FormatError);
  EXPECT_THROW(Accumulator(f("fp32"), Overflow::Wrap), FormatError);
}

TEST(Accumulator, FloatAddsRoundOnceEvenWhereDoubleRoundingWouldNot) {
  // 1 + (2^-8 + 2^-70) lies just above the bf16 midpoint 1 + 2^-8; rounding through a double
  // would land exactly on the midpoint and go to 1.
  Accumulator acc(f("bf16"));
  acc.add(1.0);
  ExactValue p;
  p.significand = (std::uint64_t{1} << 62) + 1;
  p.exponent = -70;
  acc.add(p);
  EXPECT_EQ(acc.value(), 1.0 + std::ldexp(1.0, -7));
  Accumulator tie(f("bf16"));
  tie.add(1.0);
  tie.add(std::ldexp(1.0, -8));
  EXPECT_EQ(tie.value(), 1.0);
}

TEST(Accumulator, Fp16MatchesCompilerFloat16) {
  Accumulator acc(f("fp16"));
  _Float16 expected = 0;
  Rng rng(5);
  for (int i = 0; i < 5000; ++i) {
    const double p = decode(f("fp8_e4m3"), static_cast<std::uint32_t>(rng.next() & 0x77));
    acc.add(p);
    // The double sum of an fp16 value and an fp8 value is exact here, so one rounding.
    expected = static_cast<_Float16>(static_cast<double>(expected) + p);
    ASSERT_EQ(acc.value(), static_cast<double>(expected)) << i;
  }
  Accumulator over(f("fp16"));
  over.add(65504.0);
  over.add(65504.0);
  EXPECT_EQ(over.value(), INFINITY);
  EXPECT_EQ(over.overflow_count(), 1u);
  Accumulator sat(f("fp16"), Overflow::Saturate);
  sat.add(65504.0);
  sat.add(65504.0);
  EXPECT_EQ(sat.value(), 65504.0);
}

TEST(Accumulator, QuireIsExact) {
  const Format p32 = f("posit<32,2>");
  Accumulator q(f("quire<32,2>"));
  const double maxpos = decode(p32, 0x7FFFFFFF);
  const double minpos = decode(p32, 0x00000001);
  q.add(multiply(ExactValue::from_double(maxpos), ExactValue::from_double(maxpos)));
  q.add(multiply(ExactValue::from_double(minpos), ExactValue::from_double(minpos)));
  q.add(multiply(ExactValue::from_double(-maxpos), ExactValue::from_double(maxpos)));
  EXPECT_EQ(q.value(), minpos * minpos);
  EXPECT_EQ(q.code(), 0x00000001u);  // rounds to minpos, never to zero
  EXPECT_EQ(q.result_format(), p32);
  EXPECT_EQ(q.overflow_count(), 0u);
}

TEST(Accumulator, QuireDotOfPosit8EqualsTheIntegerSum) {
  const Format p8 = f("posit<8,1>");
  const Mac mac(style("exact"), p8, p8, f("quire<8,1>"));
  Rng rng(11);
  std::vector<std::uint32_t> w(1000);
  std::vector<std::uint32_t> a(1000);
  long long units = 0;  // the sum in units of 2^-24 (= minpos^2)
  for (std::size_t i = 0; i < w.size(); ++i) {
    do w[i] = static_cast<std::uint32_t>(rng.next() & 0xFF); while (w[i] == 0x80);
    do a[i] = static_cast<std::uint32_t>(rng.next() & 0xFF); while (a[i] == 0x80);
    units += std::llround(std::ldexp(reference::posit_value(w[i], 8, 1), 12)) *
             std::llround(std::ldexp(reference::posit_value(a[i], 8, 1), 12));
  }
  Accumulator acc = mac.make_accumulator();
  mac.dot(acc, w.data(), a.data(), w.size());
  EXPECT_EQ(acc.value(), std::ldexp(static_cast<double>(units), -24));
  EXPECT_STREQ(mac.fast_path_name(), "quire");
  w[3] = 0x80;  // NaR poisons the quire
  Accumulator nar = mac.make_accumulator();
  mac.dot(nar, w.data(), a.data(), w.size());
  EXPECT_EQ(nar.code(), 0x80u);
}

struct PathCase {
  const char* style;
  const char* weight;
  const char* activation;
  const char* accumulator;
  const char* path;
};

class FastPath : public ::testing::TestWithParam<PathCase> {};

TEST_P(FastPath, GivesTheSameSumAsGenericAccumulation) {
  const PathCase& c = GetParam();
  const Mac mac(style(c.style), f(c.weight), f(c.activation), f(c.accumulator));
  EXPECT_STREQ(mac.fast_path_name(), c.path);
  Rng rng(123);
  for (int trial = 0; trial < 20; ++trial) {
    const std::size_t n = 500;
    std::vector<std::uint32_t> w(n);
    std::vector<std::uint32_t> a(n);
    for (std::size_t i = 0; i < n; ++i) {
      w[i] = static_cast<std::uint32_t>(rng.next()) & mac.weight_format().code_mask();
      a[i] = static_cast<std::uint32_t>(rng.next()) & mac.activation_format().code_mask();
    }
    Accumulator fast = mac.make_accumulator();
    mac.dot(fast, w.data(), a.data(), n);
    Accumulator slow = mac.make_accumulator();
    for (std::size_t i = 0; i < n; ++i) slow.add(mac.product(w[i], a[i]));
    const double fv = fast.value();
    const double sv = slow.value();
    ASSERT_TRUE(fv == sv || (std::isnan(fv) && std::isnan(sv))) << fv << " vs " << sv;
    ASSERT_EQ(fast.code(), slow.code());
    ASSERT_EQ(fast.overflow_count(), slow.overflow_count());
  }
}

INSTANTIATE_TEST_SUITE_P(
    Styles, FastPath,
    ::testing::Values(PathCase{"exact", "int8", "int8", "int32", "integer"},
                      PathCase{"exact", "int8", "int8", "int16", "integer"},
                      PathCase{"exact", "uint4", "int8", "fixed24_0", "integer"},
                      PathCase{"exact", "fixed8_4", "fixed8_2", "fixed16_6", "integer"},
                      PathCase{"exact", "int16", "int16", "int32", "integer"},
                      PathCase{"exact", "fp8_e4m3", "fp8_e4m3", "fp32", "float32"},
                      PathCase{"exact", "fp8_e5m2", "fp8_e5m2", "fp32", "float32"},
                      PathCase{"exact", "fp16", "fp16", "fp32", "float32"},
                      PathCase{"exact", "posit<8,1>", "posit<8,1>", "quire<8,1>", "quire"},
                      PathCase{"exact", "posit<8,2>", "posit<8,2>", "quire<8,2>", "quire"},
                      PathCase{"exact", "posit<8,1>", "posit<8,1>", "fp32", "float32"},
                      PathCase{"exact", "bf16", "bf16", "fp32", "generic"},
                      PathCase{"exact", "fp8_e4m3", "fp8_e4m3", "fp16", "generic"},
                      PathCase{"shift_add", "pow2_4", "int8", "int32", "integer"},
                      PathCase{"shift_add", "pow2_4", "int8", "int16", "integer"},
                      PathCase{"xnor_popcount", "binary", "binary", "int8", "integer"},
                      PathCase{"mitchell", "int8", "int8", "int32", "integer_table"},
                      PathCase{"mitchell_w6", "int8", "int8", "int16", "integer_table"},
                      PathCase{"mitchell", "fp8_e4m3", "fp8_e4m3", "fp32", "float32_table"},
                      PathCase{"plam", "posit<8,1>", "posit<8,1>", "quire<8,1>", "quire_table"},
                      PathCase{"plam", "posit<8,1>", "posit<8,1>", "fp32", "float32_table"},
                      PathCase{"mitchell_w6", "bf16", "bf16", "fp32", "generic"},
                      PathCase{"mitchell_w6", "int16", "int16", "int32", "mitchell_integer"},
                      PathCase{"mitchell", "int16", "int12", "int32", "mitchell_integer"},
                      PathCase{"mitchell_w4", "uint16", "int16", "int24", "mitchell_integer"},
                      PathCase{"mitchell", "fixed16_8", "int10", "fixed24_12", "mitchell_integer"}),
    [](const ::testing::TestParamInfo<PathCase>& param_info) {
      std::string name = std::string(param_info.param.style) + "_" + param_info.param.weight + "_" +
                         param_info.param.activation + "_" + param_info.param.accumulator;
      for (char& ch : name) {
        if (std::isalnum(static_cast<unsigned char>(ch)) == 0) ch = '_';
      }
      return name;
    });

// The integer Mitchell path's products, one at a time, for every pair of int10 codes (too wide
// for a product table), untruncated and truncated to 4 fraction bits.
TEST(Mac, MitchellIntegerProductsAreMitchellProducts) {
  for (const char* s : {"mitchell", "mitchell_w4"}) {
    const Mac mac(style(s), f("int10"), f("int10"), f("int32"));
    ASSERT_STREQ(mac.fast_path_name(), "mitchell_integer");
    for (std::uint32_t w = 0; w < 1024; ++w) {
      for (std::uint32_t a = 0; a < 1024; ++a) {
        Accumulator acc = mac.make_accumulator();
        mac.dot(acc, &w, &a, 1);
        ASSERT_EQ(acc.value(), mac.product(w, a).to_double()) << s << " " << w << " x " << a;
      }
    }
  }
}

// The quire paths' product tables (what the functional engine's quire kernel gathers from)
// hold every code pair's exact product in quire lsbs, and NaR where the product is NaN.
TEST(Mac, QuireProductUnitsAreTheExactProducts) {
  for (const char* s : {"exact", "plam"}) {
    const Mac mac(style(s), f("posit<8,1>"), f("posit<8,1>"), f("quire<8,1>"));
    const std::vector<std::int64_t> table = mac.quire_product_units();
    ASSERT_EQ(table.size(), 65536u) << s;
    const int fraction = Quire(8, 1).fraction_bits();
    std::size_t nar = 0;
    for (std::uint32_t w = 0; w < 256; ++w) {
      for (std::uint32_t a = 0; a < 256; ++a) {
        const double p = mac.product(w, a).to_double();
        const std::int64_t got = table[w << 8 | a];
        if (std::isnan(p)) {
          ASSERT_EQ(got, Mac::kQuireNaR) << s << " " << w << " x " << a;
          ++nar;
        } else {
          ASSERT_EQ(static_cast<double>(got), std::ldexp(p, fraction)) << s << " " << w << " x " << a;
        }
      }
    }
    EXPECT_EQ(nar, 2u * 256 - 1) << s;  // the NaR row and column
  }
  EXPECT_TRUE(Mac(style("exact"), f("int8"), f("int8"), f("int32")).quire_product_units().empty());
  EXPECT_TRUE(Mac(style("exact"), f("posit<16,1>"), f("posit<16,1>"), f("quire<16,1>")).quire_product_units().empty());
}

TEST(Mac, RejectsWhatCheckMacRejects) {
  EXPECT_THROW(Mac(style("shift_add"), f("int8"), f("int8"), f("int32")), FormatError);
  EXPECT_THROW(Mac(style("exact"), f("int8"), f("int8"), f("int32"), Overflow::Infinity), FormatError);
  const Mac mac(style("exact"), f("int8"), f("int8"), f("int32"));
  Accumulator wrong(f("int16"));
  const std::uint32_t one = 1;
  EXPECT_THROW(mac.dot(wrong, &one, &one, 1), FormatError);
}

}  // namespace
}  // namespace qarch::numerics
