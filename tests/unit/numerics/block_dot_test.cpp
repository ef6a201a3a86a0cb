// The MX block dot product against an independent reference: each block pair's products of the
// decoded values summed in long double (exact here: the elements' integers have at most 18
// bits, so 32 products fit its 64-bit significand), rounded once to fp32 and accumulated in fp32.

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "numerics/block_dot.hpp"

namespace qarch::numerics {
namespace {

std::vector<QuantizedBlock> quantize_all(const BlockFormat& f, const std::vector<float>& x) {
  return quantize_into_blocks(f, x, ScaleRule::Floor, TieRule::Even);
}

float reference(const std::vector<QuantizedBlock>& a, const std::vector<QuantizedBlock>& b) {
  float acc = 0;
  for (std::size_t k = 0; k < a.size(); ++k) {
    long double sum = 0;
    for (std::size_t i = 0; i < a[k].values.size(); ++i)
      sum += static_cast<long double>(a[k].values[i]) * static_cast<long double>(b[k].values[i]);
    acc += static_cast<float>(sum);
  }
  return acc;
}

TEST(BlockDot, MatchesExactBlockSumsOnRandomVectors) {
  std::mt19937_64 rng(5);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::uniform_int_distribution<int> octave(-20, 20), length(1, 200);
  const char* names[] = {"mxfp8_e4m3", "mxfp6_e3m2", "mxfp6_e2m3", "mxfp4_e2m1", "mxint8"};
  int cases = 0;
  for (const char* na : names) {
    for (const char* nb : names) {
      const BlockFormat fa = *BlockFormat::parse(na), fb = *BlockFormat::parse(nb);
      for (int trial = 0; trial < 20; ++trial) {
        const auto n = static_cast<std::size_t>(length(rng));
        std::vector<float> x(n), y(n);
        const int ox = octave(rng), oy = octave(rng);
        for (std::size_t i = 0; i < n; ++i) {
          x[i] = std::ldexp(normal(rng), ox + static_cast<int>(i % 7));  // spread inside a block
          y[i] = std::ldexp(normal(rng), oy);
        }
        const auto qa = quantize_all(fa, x), qb = quantize_all(fb, y);
        const float got = block_dot_fp32(BlockOperand(fa, qa), BlockOperand(fb, qb));
        EXPECT_EQ(got, reference(qa, qb)) << na << " x " << nb << " trial " << trial;
        ++cases;
      }
    }
  }
  EXPECT_EQ(cases, 500);
}

// E5M2's element integers reach 57344 x 2^16 (32 bits), so its products need 128-bit block sums.
// Values within one octave keep the long-double reference exact (few significant bits each).
TEST(BlockDot, E5m2BlocksSumInWideIntegers) {
  std::mt19937_64 rng(9);
  std::uniform_real_distribution<float> mantissa(1.0f, 2.0f);
  const BlockFormat e5m2 = *BlockFormat::parse("mxfp8_e5m2"), e4m3 = *BlockFormat::parse("mxfp8_e4m3");
  for (int trial = 0; trial < 50; ++trial) {
    std::vector<float> x(96), y(96);
    for (std::size_t i = 0; i < x.size(); ++i) {
      x[i] = (i % 3 == 0 ? -1.0f : 1.0f) * std::ldexp(mantissa(rng), trial - 25);
      y[i] = std::ldexp(mantissa(rng), 10 - trial);
    }
    const auto qx = quantize_all(e5m2, x), qy = quantize_all(e5m2, y), qz = quantize_all(e4m3, y);
    EXPECT_EQ(block_dot_fp32(BlockOperand(e5m2, qx), BlockOperand(e5m2, qy)), reference(qx, qy)) << trial;
    EXPECT_EQ(block_dot_fp32(BlockOperand(e5m2, qx), BlockOperand(e4m3, qz)), reference(qx, qz)) << trial;
  }
}

// A block that sequential fp32 products would get wrong: 256 x 256 and 31 products of 2^-12,
// each below half an ulp of 65536 (2^-8) but together 31 x 2^-12 > 2^-8.
TEST(BlockDot, SumsEachBlockExactlyBeforeRounding) {
  const BlockFormat f = *BlockFormat::parse("mxfp8_e4m3");
  std::vector<float> x(32, 0.015625f);  // 2^-6
  x[0] = 256;
  const auto q = quantize_all(f, x);
  ASSERT_EQ(q[0].scale_exp, 0);
  const float exact = block_dot_fp32(BlockOperand(f, q), BlockOperand(f, q));
  float sequential = 0;
  for (float v : x) sequential += v * v;
  EXPECT_EQ(sequential, 65536.0f);
  EXPECT_EQ(exact, 65536.0078125f);  // 65536 + 31 x 2^-12, to fp32's 2^-7 grid
}

TEST(BlockDot, NanBlocksAndMismatchedOperands) {
  const BlockFormat f = *BlockFormat::parse("mxfp4");
  std::vector<float> x(64, 1.0f), y(64, 2.0f);
  y[40] = NAN;
  const auto qx = quantize_all(f, x), qy = quantize_all(f, y);
  EXPECT_TRUE(std::isnan(block_dot_fp32(BlockOperand(f, qx), BlockOperand(f, qy))));
  y[40] = 2.0f;
  EXPECT_EQ(block_dot_fp32(BlockOperand(f, qx), BlockOperand(f, quantize_all(f, y))), 128.0f);
  const BlockFormat f16 = *BlockFormat::parse("mxfp4_e2m1_b16");
  EXPECT_THROW(block_dot_fp32(BlockOperand(f, qx), BlockOperand(f16, quantize_all(f16, y))), std::invalid_argument);
}

}  // namespace
}  // namespace qarch::numerics
