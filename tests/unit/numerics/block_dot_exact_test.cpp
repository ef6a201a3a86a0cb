// The generalized block dot product against exact rational arithmetic (Boost.Multiprecision):
// each block pair's products of the decoded values (scales included, as quantize_into_blocks and
// decode give them) summed as rationals, rounded once to the accumulator by a rounding written
// here from its definition, and added with the accumulator's adder. Every kind of pair: MX x MX,
// block x scalar (integers, fixed point, fp8, fp16, bf16 with values spread over 2^±120), NVFP4
// x NVFP4, group x scalar and group x block, into fp32, bf16 and fixed-point accumulators.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <string>

#include "numerics/block_dot.hpp"
#include "numerics/codec.hpp"
#include "support/exact_rational.hpp"

namespace qarch::numerics {
namespace {

using testing::exact;
using testing::pow2;
using testing::round_float;
using testing::round_on_grid;
using testing::to_double;
using boost::multiprecision::cpp_int;
using boost::multiprecision::cpp_rational;

struct Accumulation {
  std::string format;  // "fp32", "bf16" or "fixedN_F"
  int bits = 0, fraction = 0;
  double round(const cpp_rational& x, std::uint64_t& overflows) const {
    if (format == "fp32") return round_float(x, 24, -126, 127);
    if (format == "bf16") return round_float(x, 8, -126, 127);
    const cpp_rational v = round_on_grid(x, pow2(-fraction));  // fixed point, saturating
    const cpp_rational hi = cpp_rational((cpp_int(1) << (bits - 1)) - 1) * pow2(-fraction);
    if (v > hi || v < -hi - pow2(-fraction)) {
      ++overflows;
      return to_double(v > hi ? hi : -hi - pow2(-fraction));
    }
    return to_double(v);
  }
  double add(double a, double b, std::uint64_t& overflows) const {
    if (!std::isfinite(a) || !std::isfinite(b)) return a + b;  // IEEE: inf stays, inf - inf is NaN
    const double s = round(exact(a) + exact(b), overflows);
    if (std::isinf(s) && std::isfinite(a) && std::isfinite(b)) ++overflows;
    return s;
  }
};

// Per block, the decoded values of one operand (NaN blocks as NaN values).
using Values = std::vector<std::vector<double>>;

double reference(const Values& a, const Values& b, const Accumulation& acc, std::uint64_t& overflows) {
  double sum = 0;
  for (std::size_t k = 0; k < a.size(); ++k) {
    cpp_rational block = 0;
    for (std::size_t i = 0; i < a[k].size(); ++i) {
      if (std::isnan(a[k][i]) || std::isnan(b[k][i])) return std::numeric_limits<double>::quiet_NaN();
      block += exact(a[k][i]) * exact(b[k][i]);
    }
    const double rounded = acc.round(block, overflows);
    if (std::isinf(rounded)) ++overflows;
    sum = acc.add(sum, rounded, overflows);
  }
  return sum;
}

// An operand of `format` from `x`: its BlockOperand and its decoded values per block of `block`.
struct Operand {
  BlockOperand operand;
  Values values;
};

Operand make_operand(const std::string& name, int block, const std::vector<float>& x, ScaleRule rule, TieRule tie) {
  const Format f = Format::parse(name);
  if (const auto bf = f.block_format()) {
    const auto q = quantize_into_blocks(*bf, x, rule, tie);
    Values values;
    for (const QuantizedBlock& b : q) {
      values.push_back(b.values);
      values.back().resize(static_cast<std::size_t>(block), 0.0);
    }
    return {BlockOperand(*bf, q), values};
  }
  std::vector<std::uint32_t> codes;
  for (float v : x) codes.push_back(quantize(f, static_cast<double>(v)));
  Values values;
  for (std::size_t i = 0; i < codes.size(); ++i) {
    if (i % static_cast<std::size_t>(block) == 0) values.emplace_back(static_cast<std::size_t>(block), 0.0);
    values.back()[i % static_cast<std::size_t>(block)] = decode(f, codes[i]);
  }
  return {BlockOperand(f, block, codes.data(), codes.size()), values};
}

int block_of(const std::string& name) { return Format::parse(name).block_size(); }

// Random vectors for `name`: integers over a third of their range; scalar floats near 1, bf16
// and fp<6,9> ("floating") with an octave of their own per element within +-spread; block formats
// a normal distribution per block at an octave within +-20.
std::vector<float> draw(const std::string& name, std::size_t n, std::mt19937_64& rng, int spread) {
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::uniform_int_distribution<int> octave(-spread, spread), block_octave(-20, 20), near(-4, 4);
  const Format f = Format::parse(name);
  const bool scalar_float = !f.is_block_scaled() && f.kind() == FormatKind::Float;
  const bool floating = scalar_float && f.exponent_bits() >= 6;
  std::vector<float> x(n);
  const int base = block_octave(rng);
  for (std::size_t i = 0; i < n; ++i) {
    if (!f.is_block_scaled() && !scalar_float) {
      x[i] = std::round(normal(rng) * static_cast<float>(max_value(f)) / 3);
    } else if (scalar_float) {
      const auto limit = static_cast<float>(max_value(f) / 2);
      x[i] = std::clamp(std::ldexp(normal(rng), floating ? octave(rng) : near(rng)), -limit, limit);
    } else {
      x[i] = std::ldexp(normal(rng), base + static_cast<int>(i % 5));
    }
    if (i % 11 == 3) x[i] = 0;  // zero products
  }
  return x;
}

int check_pairs(const std::vector<std::pair<std::string, std::string>>& pairs, const Accumulation& acc, int trials,
                int spread, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> length(1, 300);
  const Format acc_format = Format::parse(acc.format);
  int checked = 0;
  for (const auto& [na, nb] : pairs) {
    const int block = std::max(block_of(na), block_of(nb));
    for (int trial = 0; trial < trials; ++trial) {
      const auto n = static_cast<std::size_t>(length(rng));
      const ScaleRule rule = trial % 3 == 0 ? ScaleRule::Floor : trial % 3 == 1 ? ScaleRule::Ceil : ScaleRule::Rceil;
      const TieRule tie = trial % 2 == 0 ? TieRule::Even : TieRule::Away;
      const Operand a = make_operand(na, block, draw(na, n, rng, spread), rule, tie);
      const Operand b = make_operand(nb, block, draw(nb, n, rng, spread), rule, tie);
      std::uint64_t expected_overflows = 0;
      const double expected = reference(a.values, b.values, acc, expected_overflows);
      BlockAccumulator unit(acc_format);
      const double got = unit.dot(a.operand, 0, b.operand, 0, a.operand.blocks(), 0.0);
      EXPECT_TRUE(got == expected || (std::isnan(got) && std::isnan(expected)))
          << got << " != " << expected << ": " << na << " x " << nb << " into " << acc.format << ", trial " << trial
          << ", n " << n;
      EXPECT_EQ(unit.overflow_count(), expected_overflows) << na << " x " << nb << " trial " << trial;
      ++checked;
    }
  }
  return checked;
}

const Accumulation kFp32{"fp32"};

TEST(BlockDotExact, MxTimesMx) {
  const char* mx[] = {"mxfp8_e4m3", "mxfp8_e5m2", "mxfp6_e3m2", "mxfp6_e2m3", "mxfp4_e2m1", "mxint8"};
  std::vector<std::pair<std::string, std::string>> pairs;
  for (const char* a : mx)
    for (const char* b : mx) pairs.emplace_back(a, b);
  EXPECT_EQ(check_pairs(pairs, kFp32, 4, 30, 1), 144);
}

TEST(BlockDotExact, BlockTimesScalar) {
  const char* blocks[] = {"mxfp8_e4m3", "mxfp8_e5m2", "mxfp6_e2m3", "mxfp4_e2m1", "mxint8", "mxfp4_e2m1_b16",
                          "nvfp4",      "int4_g32",   "int4_g128",  "int4_g128_fp16", "int8_g128", "int8_g128_fp16"};
  const char* scalars[] = {"int8", "uint8", "int16", "fixed16_8", "fp8_e4m3", "fp8_e5m2", "fp16", "bf16", "fp<6,9>"};
  std::vector<std::pair<std::string, std::string>> pairs;
  for (const char* b : blocks) {
    for (const char* s : scalars) {
      pairs.emplace_back(b, s);
      pairs.emplace_back(s, b);  // either side
    }
  }
  EXPECT_EQ(check_pairs(pairs, kFp32, 2, 12, 2), 432);
}

// bf16 and fp<6,9> values spread over 2^-120 .. 2^120 inside one block: element exponents of
// their own (the wide sum), products far below and above fp32's range.
TEST(BlockDotExact, FloatingScalarsSpreadOverManyBinades) {
  const std::vector<std::pair<std::string, std::string>> pairs = {
      {"mxfp8_e4m3", "bf16"}, {"bf16", "mxfp8_e5m2"}, {"nvfp4", "bf16"}, {"int8_g128", "bf16"}, {"mxint8", "fp<6,9>"}};
  EXPECT_EQ(check_pairs(pairs, kFp32, 12, 90, 3), 60);
}

// Terms 2^124 apart in one block: the tiny one decides a tie of the big ones (2^24 + 1 is a tie
// between fp32 neighbours), and cancellation leaves it alone.
TEST(BlockDotExact, WideSumsKeepEveryBit) {
  const BlockFormat mx = *BlockFormat::parse("mxfp8_e4m3");
  const BlockOperand ones(mx, quantize_into_blocks(mx, std::vector<float>(32, 1.0f), ScaleRule::Floor, TieRule::Even));
  const Format bf16 = Format::parse("bf16");
  const auto dot = [&](std::vector<double> v) {
    std::vector<std::uint32_t> codes;
    for (double x : v) codes.push_back(quantize(bf16, x));
    codes.resize(32, 0);
    return block_dot_fp32(ones, BlockOperand(bf16, 32, codes.data(), codes.size()));
  };
  EXPECT_EQ(dot({std::ldexp(1, 24), 1}), 16777216.0f);  // the tie, to even
  EXPECT_EQ(dot({std::ldexp(1, 24), 1, std::ldexp(1, -100)}), 16777218.0f);
  EXPECT_EQ(dot({std::ldexp(1, 24), 1, -std::ldexp(1, -100)}), 16777216.0f);
  EXPECT_EQ(dot({std::ldexp(1, 100), std::ldexp(1, -100), -std::ldexp(1, 100)}), std::ldexp(1.0f, -100));
  EXPECT_EQ(dot({-std::ldexp(1, 127), std::ldexp(1, -133)}), -std::ldexp(1.0f, 127));
}

TEST(BlockDotExact, BlockTimesBlock) {
  const std::vector<std::pair<std::string, std::string>> pairs = {
      {"nvfp4", "nvfp4"},          {"nvfp4", "mxfp8_e4m3_b16"}, {"int4_g32", "mxfp4_e2m1"},
      {"int4_g32", "int4_g32"},    {"int8_g128_fp16", "int4_g128"}, {"mxfp8_e5m2_b128", "int8_g128"}};
  EXPECT_EQ(check_pairs(pairs, kFp32, 10, 30, 4), 60);
}

// Block values rounded onto a fixed point's grid (ties to even) and added exactly, saturating:
// wide enough for these sums, then narrow enough to saturate (counted).
TEST(BlockDotExact, FixedPointAccumulators) {
  const std::vector<std::pair<std::string, std::string>> pairs = {
      {"mxint8", "int8"}, {"mxfp4_e2m1", "mxfp4_e2m1"}, {"int4_g32", "fixed16_8"}, {"nvfp4", "fp16"}};
  EXPECT_EQ(check_pairs(pairs, Accumulation{"fixed32_12", 32, 12}, 10, 3, 5), 40);
  EXPECT_EQ(check_pairs(pairs, Accumulation{"fixed12_4", 12, 4}, 10, 3, 6), 40);
  BlockAccumulator narrow(Format::parse("fixed12_4"));
  const BlockFormat mx = *BlockFormat::parse("mxint8");
  const BlockOperand ones(mx, quantize_into_blocks(mx, std::vector<float>(64, 1.0f), ScaleRule::Floor, TieRule::Even));
  const BlockOperand hundreds(Format::parse("int8"), 32, std::vector<std::uint32_t>(64, 100).data(), 64);
  EXPECT_EQ(narrow.dot(ones, 0, hundreds, 0, 2, 0.0), 127.9375);  // blocks of 3200 saturate at 2^7 - 2^-4
  EXPECT_EQ(narrow.overflow_count(), 3u);                         // each block, then the add
}

TEST(BlockDotExact, Bf16Accumulator) {
  const std::vector<std::pair<std::string, std::string>> pairs = {{"mxfp8_e4m3", "mxfp8_e4m3"}, {"nvfp4", "int8"}};
  EXPECT_EQ(check_pairs(pairs, Accumulation{"bf16"}, 15, 30, 7), 30);
}

// fp32 overflow: MX scales reach 2^127 each, so a block value can exceed fp32; it becomes inf,
// counted once.
TEST(BlockDotExact, Fp32OverflowIsCounted) {
  const BlockFormat f = *BlockFormat::parse("mxfp8_e4m3");
  std::vector<float> big(32, 1e38f);
  const BlockOperand a(f, quantize_into_blocks(f, big, ScaleRule::Floor, TieRule::Even));
  BlockAccumulator acc(Format::parse("fp32"));
  EXPECT_EQ(acc.dot(a, 0, a, 0, 1, 0.0), HUGE_VAL);
  EXPECT_EQ(acc.overflow_count(), 1u);
}

TEST(BlockDotExact, NanAndInfinity) {
  const BlockOperand mx(*BlockFormat::parse("mxfp4"),
                        quantize_into_blocks(*BlockFormat::parse("mxfp4"), std::vector<float>(64, 1.0f),
                                             ScaleRule::Floor, TieRule::Even));
  const Format fp16 = Format::parse("fp16");
  std::vector<std::uint32_t> codes(64, quantize(fp16, 2.0));
  codes[40] = quantize(fp16, HUGE_VAL);  // an infinity makes its block NaN
  const BlockOperand scalar(fp16, 32, codes.data(), codes.size());
  EXPECT_FALSE(scalar.nan(0));
  EXPECT_TRUE(scalar.nan(1));
  BlockAccumulator fixed(Format::parse("fixed32_16"));
  EXPECT_TRUE(std::isnan(fixed.dot(mx, 0, scalar, 0, 2, 0.0)));
  EXPECT_EQ(fixed.dot(mx, 0, scalar, 0, 1, 0.5), 64.5);
  EXPECT_THROW(BlockOperand(Format::parse("posit<8,1>"), 32), std::invalid_argument);
  EXPECT_THROW(BlockOperand(Format::parse("fp32"), 32), std::invalid_argument);
  EXPECT_THROW(BlockAccumulator(Format::parse("int32")), FormatError);
}

}  // namespace
}  // namespace qarch::numerics
