// The vectorized MAC kernels (func/fast_layer_kernel.hpp) against the scalar chains they
// replace (QuantizedLayer::use_generic_kernel: DotKernel / Mac), bit for bit: accumulator
// values, outputs, overflow, zero-operand and saturation counts, on random layers of every
// dataflow, with integer accumulators that overflow and float sums that depend on the order.
// IntLaneChains is also checked directly against numerics::Accumulator in wrap and saturate
// modes (the layer's accumulator always saturates).

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <optional>
#include <utility>
#include <random>
#include <vector>

#include "func/quantized_layer.hpp"
#include "func/quire_rounding.hpp"
#include "hwy/targets.h"
#include "func/simd_lane_chains.hpp"
#include "func_test_support.hpp"
#include "numerics/accumulator.hpp"
#include "numerics/codec.hpp"
#include "numerics/quire.hpp"

namespace qarch::func {
namespace {

using arch::Dataflow;

const Dataflow kDataflows[] = {Dataflow::WeightStationary, Dataflow::OutputStationary,
                               Dataflow::InputStationary, Dataflow::RowStationary, Dataflow::AdderTree};

// conv2d of `channels` x size x size by `filters` kernel x kernel filters, `groups`, `stride`,
// `padding` on every side.
workload::Layer conv(std::int64_t channels, std::int64_t size, int kernel, std::int64_t filters,
                     std::int64_t groups = 1, int stride = 1, int padding = 1) {
  workload::Layer l;
  l.name = "conv";
  l.type = workload::LayerType::Conv2d;
  l.input = {channels, size, size};
  l.kernel_h = l.kernel_w = kernel;
  l.pad_top = l.pad_bottom = l.pad_left = l.pad_right = padding;
  l.stride_h = l.stride_w = stride;
  l.groups = groups;
  l.filters = filters;
  const std::int64_t out = (size + 2 * padding - kernel) / stride + 1;
  l.output = {filters, out, out};
  l.gemm = {groups, out * out, channels / groups * kernel * kernel, filters / groups};
  l.inputs = {"input"};
  l.quantization.weight_scale = 1.0;
  l.quantization.activation_scale = 1.0;
  return l;
}

workload::Layer fc(std::int64_t in, std::int64_t out) {
  workload::Layer l;
  l.name = "fc";
  l.type = workload::LayerType::Fc;
  l.input = {in, 1, 1};
  l.out_features = out;
  l.output = {out, 1, 1};
  l.gemm = {1, 1, in, out};
  l.inputs = {"input"};
  l.quantization.weight_scale = 1.0;
  l.quantization.activation_scale = 1.0;
  return l;
}

bool same_bits(double a, double b) {
  return (std::isnan(a) && std::isnan(b)) || (a == b && std::signbit(a) == std::signbit(b));
}

struct Case {
  std::string weight, activation, accumulator, style;
  const char* path;      // the fast kernel expected (integers: unless the layer is order-free)
  bool overflows;        // some add must overflow (so the saturation is exercised)
  double magnitude = 0;  // floats: |values| up to 2^magnitude (0: any finite code)
};

// Random operands that are codes of the formats (scale 1, so quantization is exact except for
// fp32 inputs, rounded like any input), biases up to 40000 (an int16 accumulator overflows on
// some), then both kernels on the same layer. Returns the accumulator values.
std::vector<double> compare(const Case& c, Dataflow d, int rows, const workload::Layer& l,
                            std::uint32_t seed, std::uint64_t& overflows) {
  const numerics::Format wf = numerics::Format::parse(c.weight);
  const numerics::Format af = numerics::Format::parse(c.activation);
  std::mt19937 rng(seed);
  const auto draw = [&](const numerics::Format& f) {
    while (true) {
      const double v = numerics::decode(f, static_cast<std::uint32_t>(rng()) & f.code_mask());
      if (!std::isfinite(v)) continue;
      if (c.magnitude > 0 && v != 0 && std::fabs(std::log2(std::fabs(v))) > c.magnitude) continue;
      return v;
    }
  };
  const std::int64_t channels = l.gemm.groups * l.gemm.n;
  LayerParameters params;
  for (std::int64_t i = 0; i < channels * l.gemm.k; ++i) params.weights.push_back(static_cast<float>(draw(wf)));
  for (std::int64_t i = 0; i < channels; ++i) {
    const bool big = rng() % 4 == 0;
    params.bias.push_back(static_cast<float>(static_cast<int>(rng() % (big ? 80001 : 201)) - (big ? 40000 : 100)));
  }
  std::vector<double> in(static_cast<std::size_t>(l.input.elements()));
  for (double& v : in) v = draw(af);

  const arch::ArchSpec a = testing::func_arch(c.weight, c.activation, c.accumulator, c.style, d, rows, rows);
  const mapping::Mapping mp = mapping::map_layer(a, l);
  QuantizedLayer fast(a, l, mp, params, false, 0, 0);
  QuantizedLayer generic(a, l, mp, params, false, 0, 0);
  generic.use_generic_kernel();
  // Inexact float products (DotKernel's fused path) need a fused multiply-add; a CPU without
  // one keeps the scalar chain.
  const bool needs_fma = std::string(generic.kernel_path()) == "fma_fp32";
  // An integer layer whose sum cannot overflow (small k and biases) is a matrix product.
  const char* path = std::string(c.path) == "simd_int_chains" && fast.order_free() ? "simd_int_gemm" : c.path;
  if (!needs_fma || lane_chains_fused()) {
    EXPECT_STREQ(fast.kernel_path(), path) << c.weight << " x " << c.activation << " -> " << c.accumulator;
  }
  EXPECT_STRNE(generic.kernel_path(), c.path);

  const auto n = static_cast<std::size_t>(l.output.elements());
  std::vector<double> out_f(n), acc_f(n), out_g(n), acc_g(n);
  ComputeCounts cf, cg;
  fast.run(in.data(), out_f.data(), acc_f.data(), cf);
  generic.run(in.data(), out_g.data(), acc_g.data(), cg);
  for (std::size_t o = 0; o < n; ++o) {
    EXPECT_TRUE(same_bits(acc_f[o], acc_g[o])) << c.weight << " -> " << c.accumulator << " output " << o << ": "
                                               << acc_f[o] << " vs " << acc_g[o];
    EXPECT_TRUE(same_bits(out_f[o], out_g[o])) << "output " << o;
  }
  EXPECT_EQ(cf.overflowed_accumulations, cg.overflowed_accumulations);
  EXPECT_EQ(cf.zero_weight_operands, cg.zero_weight_operands);
  EXPECT_EQ(cf.zero_activation_operands, cg.zero_activation_operands);
  EXPECT_EQ(cf.zero_operand_macs, cg.zero_operand_macs);
  EXPECT_EQ(cf.saturated_activations, cg.saturated_activations);
  if (std::string(c.path).rfind("simd_quire", 0) == 0) {  // finite inputs: no output left to the scalar chain
    EXPECT_EQ(cf.scalar_outputs, 0) << c.weight << " -> " << c.accumulator;
  }
  overflows += cg.overflowed_accumulations;
  return acc_g;
}

std::vector<workload::Layer> layers() {
  // Lanes over rows (m >= n), several vectors of them, groups, strides, 1x1, and lanes over
  // channels (fc).
  return {conv(3, 6, 3, 4),       conv(2, 11, 5, 5), conv(4, 6, 3, 6, 2), conv(3, 13, 3, 4, 1, 2),
          conv(6, 9, 1, 5, 1, 2, 0), fc(40, 20),       fc(300, 37)};
}

void check_cases(const std::vector<Case>& cases) {
  std::uint32_t seed = 1;
  for (const Case& c : cases) {
    std::uint64_t overflows = 0;
    for (const Dataflow d : kDataflows) {
      for (const int rows : {4, 8}) {
        for (const workload::Layer& l : layers()) {
          if (d == Dataflow::RowStationary && l.type != workload::LayerType::Conv2d) continue;
          compare(c, d, rows, l, seed++, overflows);
        }
      }
    }
    if (c.overflows) {
      EXPECT_GT(overflows, 0u) << c.weight << " -> " << c.accumulator;
    }
  }
}

TEST(FastKernel, IntegerLayersEqualTheScalarChains) {
  check_cases({
      {"int8", "int8", "int32", "exact", "simd_int_gemm", false},
      {"int8", "uint8", "int32", "exact", "simd_int_gemm", false},
      {"int4", "int4", "int24", "exact", "simd_int_gemm", false},
      {"ternary", "int8", "int32", "exact", "simd_int_gemm", false},
      {"pow2_4", "int8", "int32", "shift_add", "simd_int_gemm", false},
      {"binary", "binary", "int32", "xnor_popcount", "simd_int_gemm", false},
  });
}

TEST(FastKernel, OverflowingIntegerAccumulatorsSaturateAsTheScalarChains) {
  check_cases({
      {"int8", "int8", "int16", "exact", "simd_int_chains", true},
      {"int8", "uint8", "int16", "exact", "simd_int_chains", true},
      {"int4", "int4", "int8", "exact", "simd_int_chains", true},
      {"pow2_4", "int8", "int16", "shift_add", "simd_int_chains", true},
      {"binary", "binary", "int16", "xnor_popcount", "simd_int_chains", true},
      {"fixed8_4", "fixed8_4", "fixed16_8", "exact", "simd_int_chains", true},
  });
}

// Mitchell products of operands too wide for a table, in int64 lanes, saturating like the
// scalar chains (16-bit products reach 2^31: the int32 accumulator overflows).
TEST(FastKernel, MitchellLayersEqualTheScalarChains) {
  check_cases({
      {"int16", "int16", "int32", "mitchell_w6", "simd_mitchell_chains", true},
      {"int12", "int10", "int16", "mitchell", "simd_mitchell_chains", true},
      {"uint12", "int10", "int32", "mitchell_w4", "simd_mitchell_chains", false},
      {"fixed12_6", "int10", "fixed16_8", "mitchell", "simd_mitchell_chains", true},
  });
}

TEST(FastKernel, FloatLayersEqualTheScalarChains) {
  check_cases({
      {"fp32", "fp32", "fp32", "exact", "simd_fp32_chains", false, 20},
      {"bf16", "bf16", "fp32", "exact", "simd_fp32_chains", false, 20},
      {"fp16", "fp16", "fp32", "exact", "simd_fp32_chains", false},
      {"fp8_e4m3", "fp8_e4m3", "fp32", "exact", "simd_fp32_chains", false},
      {"fp8_e5m2", "bf16", "fp32", "exact", "simd_fp32_chains", false},
  });
}

// Posit operands into a quire (exact sums, each rounded once to the posit result), with the
// exact and the PLAM multiplier; biases large enough to round to the far ends of the range.
TEST(FastKernel, QuireLayersEqualTheScalarChains) {
  check_cases({
      {"posit<8,1>", "posit<8,1>", "quire<8,1>", "exact", "simd_quire_lanes", false},
      {"posit<8,1>", "posit<8,1>", "quire<8,1>", "plam", "simd_quire_lanes", false},
      {"posit<8,0>", "posit<8,0>", "quire<8,0>", "plam", "simd_quire_lanes", false},
      {"posit<6,1>", "posit<8,1>", "quire<8,1>", "exact", "simd_quire_lanes", false},
  });
}

// QuireRounding against the quire itself: sums of every magnitude, each code's value and its
// neighbours (the ties between codes among them).
TEST(FastKernel, QuireRoundingIsTheQuiresRounding) {
  for (const char* q : {"quire<8,1>", "quire<8,0>", "quire<6,2>"}) {
    numerics::Accumulator acc{numerics::Format::parse(q)};
    const std::optional<QuireRounding> rounding = QuireRounding::build(acc);
    ASSERT_TRUE(rounding.has_value()) << q;
    const int fraction = numerics::Quire(acc.format().posit_bits(), acc.format().posit_es()).fraction_bits();
    const auto check = [&](std::int64_t units) {
      acc.reset();
      acc.add(std::ldexp(static_cast<double>(units), -fraction));
      ASSERT_EQ(rounding->value(units), numerics::decode(acc.result_format(), acc.code())) << q << " " << units;
    };
    std::mt19937_64 rng(9);
    for (int i = 0; i < 20000; ++i) {
      const auto magnitude = static_cast<std::int64_t>(rng() >> (12 + rng() % 52));
      check(i % 2 ? magnitude : -magnitude);
    }
    std::vector<std::int64_t> values;
    for (std::uint32_t c = 0; c < acc.result_format().code_count(); ++c) {
      const double v = numerics::decode(acc.result_format(), c);
      if (std::isfinite(v)) values.push_back(static_cast<std::int64_t>(std::ldexp(v, fraction)));
    }
    std::sort(values.begin(), values.end());
    for (std::size_t i = 0; i < values.size(); ++i) {
      for (std::int64_t d = -2; d <= 2; ++d) check(values[i] + d);
      if (i == 0) continue;
      const std::int64_t tie = values[i - 1] + (values[i] - values[i - 1]) / 2;  // the midpoint (or below it)
      for (std::int64_t d = -1; d <= 1; ++d) check(tie + d);
    }
    check(0);
    check(QuireRounding::limit());
    check(-QuireRounding::limit());
  }
}

// A NaR input poisons its group's outputs and a NaR weight its channel's: both take the scalar
// chain, which gives NaN.
TEST(FastKernel, NaRTakesTheScalarChain) {
  const workload::Layer l = conv(3, 6, 3, 4);
  for (const auto& [style, path] : {std::pair{"plam", "simd_quire_lanes"}, std::pair{"exact", "simd_quire_lanes"}}) {
    const arch::ArchSpec a = testing::func_arch("posit<8,1>", "posit<8,1>", "quire<8,1>", style);
    const mapping::Mapping mp = mapping::map_layer(a, l);
    LayerParameters params;
    params.weights.assign(static_cast<std::size_t>(l.gemm.n * l.gemm.k), 0.5f);
    params.bias.assign(static_cast<std::size_t>(l.gemm.n), 0.25f);
    for (const bool nan_weight : {false, true}) {
      params.weights[5] = nan_weight ? std::nanf("") : 0.5f;
      std::vector<double> in(static_cast<std::size_t>(l.input.elements()), 1.0);
      if (!nan_weight) in[7] = std::nan("");
      QuantizedLayer fast(a, l, mp, params, false, 0, 0);
      ASSERT_STREQ(fast.kernel_path(), path);
      QuantizedLayer generic(a, l, mp, params, false, 0, 0);
      generic.use_generic_kernel();
      const auto n = static_cast<std::size_t>(l.output.elements());
      std::vector<double> out_f(n), out_g(n);
      ComputeCounts cf, cg;
      fast.run(in.data(), out_f.data(), nullptr, cf);
      generic.run(in.data(), out_g.data(), nullptr, cg);
      std::size_t nan = 0;
      for (std::size_t o = 0; o < n; ++o) {
        EXPECT_TRUE(same_bits(out_f[o], out_g[o])) << "output " << o;
        nan += std::isnan(out_g[o]) ? 1 : 0;
      }
      // The NaN weight reaches its channel's every output; the NaN input a 3x3 window of every
      // channel. Only the NaR weight's channel (or the NaR input's group) takes the scalar chain.
      EXPECT_EQ(nan, nan_weight ? n / 4 : 9u * 4);
      EXPECT_EQ(cf.scalar_outputs, static_cast<std::int64_t>(nan_weight ? n / 4 : n)) << style;
    }
  }
}

// Every instruction set Highway compiled that this CPU runs (scalar, SSE, AVX2, AVX-512, ...)
// gives the scalar chains' bits: results never depend on the vector width.
TEST(FastKernel, EveryInstructionSetGivesTheSameBits) {
  const std::vector<std::int64_t> targets = hwy::SupportedAndGeneratedTargets();
  EXPECT_GT(targets.size(), 1u);
  for (const std::int64_t target : targets) {
    SCOPED_TRACE(hwy::TargetName(target));
    hwy::SetSupportedTargetsForTest(target);
    check_cases({
        {"int8", "int8", "int32", "exact", "simd_int_gemm", false},
        {"int8", "int8", "int16", "exact", "simd_int_chains", true},
        {"bf16", "bf16", "fp32", "exact", "simd_fp32_chains", false, 20},
        {"posit<8,1>", "posit<8,1>", "quire<8,1>", "plam", "simd_quire_lanes", false},
        {"posit<8,1>", "posit<8,1>", "quire<8,1>", "exact", "simd_quire_lanes", false},
        {"int12", "int10", "int16", "mitchell_w6", "simd_mitchell_chains", true},
    });
  }
  hwy::SetSupportedTargetsForTest(0);
}

// The float tests above are not vacuous: with these values the dataflow's order changes sums.
TEST(FastKernel, FloatSumsDependOnTheOrder) {
  const Case c{"fp32", "fp32", "fp32", "exact", "simd_fp32_chains", false, 20};
  std::uint64_t overflows = 0;
  const workload::Layer l = conv(2, 11, 5, 5);
  const std::vector<double> os = compare(c, Dataflow::OutputStationary, 4, l, 7, overflows);
  const std::vector<double> ws = compare(c, Dataflow::WeightStationary, 4, l, 7, overflows);
  std::size_t differ = 0;
  for (std::size_t o = 0; o < os.size(); ++o) differ += os[o] != ws[o] ? 1 : 0;
  EXPECT_GT(differ, os.size() / 4);
}

// Sums that reach infinity or NaN take the scalar path for their output only.
TEST(FastKernel, NonFiniteFloatSumsFallBackToTheScalarChain) {
  const Case c{"fp32", "fp32", "fp32", "exact", "simd_fp32_chains", false, 100};
  std::uint64_t overflows = 0;
  std::size_t non_finite = 0;
  for (const Dataflow d : kDataflows) {
    const std::vector<double> acc = compare(c, d, 4, conv(3, 6, 3, 4), 11, overflows);
    for (const double v : acc) non_finite += std::isfinite(v) ? 0 : 1;
  }
  EXPECT_GT(non_finite, 0u);
  EXPECT_GT(overflows, 0u);
}

// IntLaneChains against an Accumulator per lane, in both overflow modes, on orders with chained
// and tree folds, and lane counts that are not a multiple of the vector length (nor of the
// kLaneChainUnroll vectors a kernel interleaves).
TEST(FastKernel, IntLaneChainsSaturateAndWrapLikeTheAccumulator) {
  std::mt19937 rng(5);
  for (const numerics::Overflow mode : {numerics::Overflow::Saturate, numerics::Overflow::Wrap}) {
    std::uint64_t total = 0;
    for (int trial = 0; trial < 40; ++trial) {
      const std::int64_t k = 1 + static_cast<std::int64_t>(rng() % 70);
      mapping::AccumulationOrder order;
      order.sequential = trial % 4 == 0;
      for (std::int64_t b = 0; b < k;) {  // folds of random segments
        mapping::Fold fold;
        fold.tree = rng() % 2 == 0;
        for (int s = 0; s < 1 + static_cast<int>(rng() % 5) && b < k; ++s) {
          const std::int64_t e = std::min(k, b + 1 + static_cast<std::int64_t>(rng() % 6));
          fold.segments.push_back({b, e});
          b = e;
        }
        order.folds.push_back(fold);
      }
      const LaneOrder lane_order(order, false, k);
      const numerics::Format acc_format = numerics::Format::parse("int16");
      IntLaneChains chains(lane_order, -32768, 32767, mode == numerics::Overflow::Wrap);
      const std::size_t lanes = 1 + rng() % 150;  // interleaved groups of vectors and single ones
      const std::size_t pad = lane_chain_padding();
      const std::size_t ld = (lanes + pad - 1) / pad * pad;
      std::vector<std::int32_t> x(static_cast<std::size_t>(k) * ld, 0), s(static_cast<std::size_t>(k)), start(ld, 0), out(ld);
      for (std::size_t l = 0; l < lanes; ++l) {
        start[l] = static_cast<std::int32_t>(rng() % 65536) - 32768;
        for (std::int64_t j = 0; j < k; ++j) x[static_cast<std::size_t>(j) * ld + l] = static_cast<std::int32_t>(rng() % 256) - 128;
      }
      for (std::int32_t& v : s) v = static_cast<std::int32_t>(rng() % 256) - 128;
      std::uint64_t overflows = 0;
      chains.run(x.data(), ld, lanes, s.data(), start.data(), out.data(), overflows);

      std::uint64_t want_overflows = 0;
      for (std::size_t l = 0; l < lanes; ++l) {
        numerics::Accumulator acc(acc_format, mode);
        const auto add = [&](double a, double b) {
          acc.reset();
          acc.add(a);
          acc.add(b);
          want_overflows += acc.overflow_count();
          return acc.value();
        };
        const auto chain = [&](double from, std::int64_t b, std::int64_t e) {
          for (std::int64_t j = b; j < e; ++j) {
            from = add(from, static_cast<double>(x[static_cast<std::size_t>(j) * ld + l]) * s[static_cast<std::size_t>(j)]);
          }
          return from;
        };
        double want = start[l];
        if (order.sequential) {
          want = chain(want, 0, k);
        } else {
          for (const mapping::Fold& f : order.folds) {
            std::vector<double> parts;
            for (const mapping::Segment& seg : f.segments) parts.push_back(chain(0, seg.begin, seg.end));
            while (f.tree && parts.size() > 1) {
              std::vector<double> up;
              for (std::size_t i = 0; i < parts.size(); i += 2) up.push_back(i + 1 < parts.size() ? add(parts[i], parts[i + 1]) : parts[i]);
              parts = up;
            }
            double part = parts[0];
            for (std::size_t i = 1; !f.tree && i < parts.size(); ++i) part = add(part, parts[i]);
            want = add(want, part);
          }
        }
        ASSERT_EQ(out[l], static_cast<std::int32_t>(want)) << "trial " << trial << " lane " << l;
      }
      ASSERT_EQ(overflows, want_overflows) << "trial " << trial;
      total += overflows;
    }
    EXPECT_GT(total, 0u);
  }
}

}  // namespace
}  // namespace qarch::func
