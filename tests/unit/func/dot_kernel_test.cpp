// DotKernel's fused fp32 path and fast fp32 add against Mac's generic path (Accumulator::add
// of each exact product), values and overflow counts, on random data that overflows.

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>

#include "func/dot_kernel.hpp"
#include "func/ptq.hpp"
#include "numerics/codec.hpp"

namespace qarch::func {
namespace {

using numerics::Format;

std::uint32_t float_code(float f) {
  std::uint32_t c = 0;
  std::memcpy(&c, &f, 4);
  return c;
}

bool same(double a, double b) { return (std::isnan(a) && std::isnan(b)) || a == b; }

void compare_with_mac(const std::string& wf, const std::string& af, std::uint32_t seed) {
  const Format w = Format::parse(wf), a = Format::parse(af), acc = Format::parse("fp32");
  const numerics::MultiplierStyle exact = numerics::MultiplierStyle::parse("exact");
  DotKernel kernel(exact, w, a, acc);
  EXPECT_STREQ(kernel.path_name(), "fma_fp32");
  const numerics::Mac mac(exact, w, a, acc);
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> mant(-1.0f, 1.0f);
  std::uniform_int_distribution<int> exp(-30, 30);
  const auto code = [&](const Format& f, bool huge) {
    const float v = std::ldexp(mant(rng), huge ? 126 : exp(rng));
    return f.bits() == 32 ? float_code(v) : numerics::quantize(f, v);
  };
  for (int trial = 0; trial < 300; ++trial) {
    const std::size_t n = 1 + rng() % 64;
    const bool huge = trial % 5 == 0;  // products near FLT_MAX: sums overflow to inf
    std::vector<std::uint32_t> wc(n), ac(n);
    for (std::size_t i = 0; i < n; ++i) {
      wc[i] = code(w, huge);
      ac[i] = code(a, huge && i % 2 == 0);
    }
    const double start = trial % 3 == 0 ? 0.0 : static_cast<double>(mant(rng));
    numerics::Accumulator ref = mac.make_accumulator();
    if (start != 0.0) ref.add(start);
    mac.dot(ref, wc.data(), ac.data(), n);
    std::uint64_t overflows = 0;
    const double got = kernel.chain(start, wc.data(), ac.data(), static_cast<std::int64_t>(n), overflows);
    ASSERT_TRUE(same(got, ref.value())) << wf << " trial " << trial << ": " << got << " vs " << ref.value();
    ASSERT_EQ(overflows, ref.overflow_count()) << wf << " trial " << trial;
  }
}

TEST(DotKernel, FusedFp32PathEqualsMacGenericPath) {
  compare_with_mac("fp32", "fp32", 1);
  compare_with_mac("bf16", "bf16", 2);
  compare_with_mac("bf16", "fp32", 3);
}

TEST(DotKernel, Fp32AddEqualsAccumulatorAdd) {
  const numerics::MultiplierStyle exact = numerics::MultiplierStyle::parse("exact");
  const Format fp32 = Format::parse("fp32");
  DotKernel kernel(exact, fp32, fp32, fp32);
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> mant(-2.0f, 2.0f);
  std::uniform_int_distribution<int> exp(-149, 127);
  for (int i = 0; i < 20000; ++i) {
    const auto a = static_cast<double>(std::ldexp(mant(rng), exp(rng)));
    const auto b = static_cast<double>(i % 4 == 0 ? std::ldexp(mant(rng), exp(rng)) : std::ldexp(mant(rng), std::min(127, std::max(-149, static_cast<int>(std::ilogb(a == 0 ? 1 : a)) - static_cast<int>(rng() % 30)))));
    const float af = static_cast<float>(a), bf = static_cast<float>(b);
    if (!std::isfinite(af) || !std::isfinite(bf)) continue;
    numerics::Accumulator ref(fp32);
    ref.add(static_cast<double>(af));
    ref.add(static_cast<double>(bf));
    std::uint64_t overflows = 0;
    const double got = kernel.add(static_cast<double>(af), static_cast<double>(bf), overflows);
    ASSERT_TRUE(same(got, ref.value())) << af << " + " << bf;
    ASSERT_EQ(overflows, ref.overflow_count());
  }
}

TEST(DotKernel, OtherCombinationsUseMacsPaths) {
  const numerics::MultiplierStyle exact = numerics::MultiplierStyle::parse("exact");
  EXPECT_STREQ(DotKernel(exact, Format::parse("int8"), Format::parse("int8"), Format::parse("int32")).path_name(), "integer");
  EXPECT_STREQ(DotKernel(exact, Format::parse("fp16"), Format::parse("fp16"), Format::parse("fp16")).path_name(), "generic");
}

}  // namespace
}  // namespace qarch::func
