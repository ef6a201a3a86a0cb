// A conv layer on the block dot-product unit against an independent reference: the im2col rows
// and weight rows built here from the layer's definition, quantized with quantize_into_blocks
// (scalar operands with the PTQ rules written out), each block pair summed as an exact rational,
// rounded once into the accumulator by tests/support/exact_rational.hpp and accumulated in the
// documented order of each dataflow (docs/functional.md); value statistics counted by brute force.

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "func/compute_layer.hpp"
#include "func_test_support.hpp"
#include "numerics/block_format.hpp"
#include "numerics/codec.hpp"
#include "support/exact_rational.hpp"

namespace qarch::func {
namespace {

using arch::Dataflow;
using numerics::Format;
using testing::exact;
using testing::pow2;
using testing::round_float;
using testing::round_on_grid;
using testing::to_double;
using boost::multiprecision::cpp_rational;

constexpr std::int64_t kC = 8, kH = 5, kW = 5, kF = 4, kK = kC * 9, kM = kH * kW;

// conv2d: 8 channels, 3x3 kernel, padding 1, 4 filters on 8x5x5: k = 72 (blocks of 32: 3, the
// last with 8 values and 24 zeros), m = 25.
workload::Layer conv() {
  workload::Layer l;
  l.name = "conv";
  l.type = workload::LayerType::Conv2d;
  l.input = {kC, kH, kW};
  l.kernel_h = l.kernel_w = 3;
  l.pad_top = l.pad_bottom = l.pad_left = l.pad_right = 1;
  l.filters = kF;
  l.output = {kF, kH, kW};
  l.gemm = {1, kM, kK, kF};
  l.inputs = {"input"};
  return l;
}

struct Case {
  const char* weight;
  const char* activation;
  const char* accumulator;
  Dataflow dataflow;
  int rows;
  numerics::ScaleRule rule = numerics::ScaleRule::Floor;
  numerics::TieRule tie = numerics::TieRule::Even;
};

// The accumulator's rounding of an exact value, counting saturations (fixed point).
struct Rounder {
  Format format;
  std::uint64_t overflows = 0;
  double operator()(const cpp_rational& x) {
    if (format.kind() == numerics::FormatKind::Float) {
      const double r = round_float(x, format.mantissa_bits() + 1, 2 - (1 << (format.exponent_bits() - 1)),
                                   (1 << (format.exponent_bits() - 1)) - 1);
      if (std::isinf(r)) ++overflows;
      return r;
    }
    const cpp_rational step = pow2(-format.fraction_bits());
    const cpp_rational hi = cpp_rational((boost::multiprecision::cpp_int(1) << (format.bits() - 1)) - 1) * step;
    const cpp_rational lo = -hi - step;
    const cpp_rational v = round_on_grid(x, step);
    if (v > hi || v < lo) {
      ++overflows;
      return to_double(v > hi ? hi : lo);
    }
    return to_double(v);
  }
  double add(double a, double b) { return (*this)(exact(a) + exact(b)); }
};

// Decoded values of one row of a block or scalar operand, and saturations. Scalar formats:
// x / scale rounded (int8: nearest even, clipped to -128..127; floats: codec, saturating).
std::vector<double> quantize_row(const Format& f, const std::vector<float>& row, float nvfp4_scale, double scale,
                                 const Case& c, std::int64_t& saturated) {
  std::vector<double> values;
  if (const auto bf = f.block_format()) {
    std::vector<numerics::QuantizedBlock> blocks;
    numerics::quantize_into_blocks(*bf, row.data(), row.size(), c.rule, c.tie, nvfp4_scale, blocks);
    for (const auto& q : blocks) {
      saturated += q.saturated;
      values.insert(values.end(), q.values.begin(), q.values.end());
    }
    return values;
  }
  for (const float x : row) {
    const double y = static_cast<double>(x) / scale;
    if (f.kind() == numerics::FormatKind::Int) {
      const double r = std::nearbyint(y);
      if (r < -128 || r > 127) ++saturated;
      values.push_back(std::clamp(r, -128.0, 127.0));
    } else {
      const numerics::Encoded e = numerics::encode(f, y, numerics::Rounding::NearestEven, numerics::Overflow::Saturate);
      saturated += e.overflow ? 1 : 0;
      values.push_back(numerics::decode(f, e.code));
    }
  }
  return values;
}

float amax_scale(const std::vector<float>& v) {
  float amax = 0;
  for (const float x : v) amax = std::max(amax, std::fabs(x));
  return numerics::nvfp4_tensor_scale(amax);
}

struct Seen {  // what the cases exercised, so that the test cannot pass vacuously
  std::uint64_t overflows = 0;
  std::int64_t saturated_weights = 0, saturated_activations = 0, zero_macs = 0;
};

void check(const Case& c, std::uint32_t seed, Seen& seen) {
  SCOPED_TRACE(std::string(c.weight) + " x " + c.activation + " into " + c.accumulator + ", " +
               std::string(arch::to_string(c.dataflow)));
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  LayerParameters params;
  for (std::int64_t i = 0; i < kF * kK; ++i) params.weights.push_back(i % 13 == 0 ? 0.0f : 0.3f * normal(rng));
  for (std::int64_t f = 0; f < kF; ++f) params.bias.push_back(normal(rng));
  std::vector<double> x(static_cast<std::size_t>(kC * kH * kW));
  for (double& v : x) v = std::max(0.0f, normal(rng));  // after a ReLU: zeros
  const double act_max = 2.0;                          // calibration: some inputs saturate int8

  arch::ArchSpec a = testing::func_arch(c.weight, c.activation, c.accumulator, "block_dot", c.dataflow, c.rows, 32);
  a.pe_array.block_scale_rule = c.rule;
  a.pe_array.block_rounding = c.tie;
  const workload::Layer l = conv();
  const auto layer = make_compute_layer(a, l, mapping::map_layer(a, l), params, false, act_max, 0);
  std::vector<double> out(static_cast<std::size_t>(kF * kM)), acc(out.size());
  ComputeCounts counts;
  layer->run(x.data(), out.data(), acc.data(), counts);

  // The reference.
  const Format wf = Format::parse(c.weight), af = Format::parse(c.activation);
  const int block = wf.is_block_scaled() ? wf.block_size() : af.block_size();
  double wmax = 0;
  for (const float w : params.weights) wmax = std::max(wmax, std::fabs(static_cast<double>(w)));
  const double w_scale = wf.is_block_scaled() ? 1.0 : wmax / 127;
  const double a_scale = af.is_block_scaled() ? 1.0 : af.kind() == numerics::FormatKind::Int ? act_max / 127 : 1.0;
  std::int64_t sat_w = 0, sat_a = 0, zero_macs = 0;
  std::vector<std::vector<double>> wrows, arows;
  for (std::int64_t f = 0; f < kF; ++f) {
    const std::vector<float> row(params.weights.begin() + f * kK, params.weights.begin() + (f + 1) * kK);
    wrows.push_back(quantize_row(wf, row, amax_scale(params.weights), w_scale, c, sat_w));
  }
  const std::vector<float> xf(x.begin(), x.end());
  std::vector<double> xq;  // scalar activations: each input element quantized once
  if (!af.is_block_scaled()) xq = quantize_row(af, xf, 1, a_scale, c, sat_a);
  for (std::int64_t e = 0; e < kH; ++e) {
    for (std::int64_t g = 0; g < kW; ++g) {
      std::vector<float> row;  // block activations: the im2col row of inputs, quantized as a row
      std::vector<double> values;
      for (std::int64_t ch = 0; ch < kC; ++ch) {
        for (std::int64_t r = 0; r < 3; ++r) {
          for (std::int64_t s = 0; s < 3; ++s) {
            const std::int64_t y = e - 1 + r, xx = g - 1 + s;
            const bool pad = y < 0 || y >= kH || xx < 0 || xx >= kW;
            const auto i = static_cast<std::size_t>((ch * kH + y) * kW + xx);
            row.push_back(pad ? 0.0f : xf[i]);
            values.push_back(pad || xq.empty() ? 0.0 : xq[i]);
          }
        }
      }
      arows.push_back(af.is_block_scaled() ? quantize_row(af, row, amax_scale(xf), 1, c, sat_a) : values);
    }
  }
  Rounder round{Format::parse(c.accumulator)};
  Rounder bias_round{Format::parse(c.accumulator)};  // saturated biases are not accumulator overflows
  const std::int64_t blocks = (kK + block - 1) / block;
  const std::int64_t per_fold = c.dataflow == Dataflow::OutputStationary ? blocks : c.rows / block;
  for (std::int64_t f = 0; f < kF; ++f) {
    const double ps = w_scale * a_scale;
    const double bias = bias_round(exact(static_cast<double>(params.bias[static_cast<std::size_t>(f)]) / ps));
    for (std::int64_t m = 0; m < kM; ++m) {
      const auto& wv = wrows[static_cast<std::size_t>(f)];
      const auto& av = arows[static_cast<std::size_t>(m)];
      std::vector<double> values;  // each block's exact value, rounded once
      for (std::int64_t b = 0; b < blocks; ++b) {
        cpp_rational sum = 0;
        for (std::int64_t i = b * block; i < std::min(kK, (b + 1) * block); ++i) {
          sum += exact(wv[static_cast<std::size_t>(i)]) * exact(av[static_cast<std::size_t>(i)]);
          if (wv[static_cast<std::size_t>(i)] == 0 || av[static_cast<std::size_t>(i)] == 0) ++zero_macs;
        }
        values.push_back(round(sum));
      }
      double running = bias;
      for (std::int64_t first = 0; first < blocks; first += per_fold) {
        std::vector<double> part(values.begin() + first, values.begin() + std::min(blocks, first + per_fold));
        if (c.dataflow == Dataflow::OutputStationary) {
          for (const double v : part) running = round.add(running, v);
          continue;
        }
        while (c.dataflow == Dataflow::AdderTree && part.size() > 1) {  // pairwise, odd one up
          std::vector<double> next;
          for (std::size_t i = 0; i + 1 < part.size(); i += 2) next.push_back(round.add(part[i], part[i + 1]));
          if (part.size() % 2 == 1) next.push_back(part.back());
          part = next;
        }
        double chain = part[0];  // a column's chain from its first block
        for (std::size_t i = 1; i < part.size(); ++i) chain = round.add(chain, part[i]);
        running = round.add(running, chain);
      }
      const auto o = static_cast<std::size_t>(f * kM + m);
      ASSERT_EQ(acc[o], running) << "filter " << f << " pixel " << m;
      ASSERT_EQ(out[o], running * ps);
    }
  }
  EXPECT_EQ(counts.overflowed_accumulations, round.overflows);
  EXPECT_EQ(layer->saturated_weights(), sat_w);
  EXPECT_EQ(counts.saturated_activations, sat_a);
  EXPECT_EQ(counts.zero_operand_macs, zero_macs);
  EXPECT_EQ(layer->weight_scale(), w_scale);
  EXPECT_EQ(layer->activation_scale(), a_scale);
  seen.overflows += round.overflows;
  seen.saturated_weights += sat_w;
  seen.saturated_activations += sat_a;
  seen.zero_macs += zero_macs;
}

TEST(BlockLayer, MatchesExactBlockSumsInTheDataflowsOrder) {
  const Case cases[] = {
      {"mxfp4_e2m1", "mxfp4_e2m1", "fp32", Dataflow::WeightStationary, 64},
      {"mxfp8_e4m3", "mxfp6_e2m3", "fp32", Dataflow::InputStationary, 64, numerics::ScaleRule::Ceil,
       numerics::TieRule::Away},
      {"nvfp4", "nvfp4", "fp32", Dataflow::AdderTree, 64},
      {"int4_g32", "fp16", "fp32", Dataflow::OutputStationary, 32},
      {"mxint8", "int8", "fixed12_4", Dataflow::WeightStationary, 32},
      {"int8", "mxfp8_e4m3", "fp32", Dataflow::WeightStationary, 32, numerics::ScaleRule::Rceil},
      {"mxfp6_e3m2", "bf16", "bf16", Dataflow::AdderTree, 96},
  };
  std::uint32_t seed = 1;
  Seen seen;
  for (const Case& c : cases) check(c, seed++, seen);
  EXPECT_GT(seen.overflows, 0u);  // fixed12_4 saturates
  EXPECT_GT(seen.saturated_weights, 0);
  EXPECT_GT(seen.saturated_activations, 0);
  EXPECT_GT(seen.zero_macs, 0);
}

TEST(BlockLayer, RefusesWhatTheUnitCannotRun) {
  const workload::Layer l = conv();
  LayerParameters params;
  params.weights.assign(static_cast<std::size_t>(kF * kK), 1.0f);
  const auto error = [&](arch::ArchSpec a, workload::Layer layer) {
    try {
      make_compute_layer(a, layer, mapping::map_layer(a, layer), params, false, 1, 1);
    } catch (const numerics::FormatError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  const arch::ArchSpec mx = testing::func_arch("mxfp4", "int8", "fp32", "block_dot");
  workload::Layer scaled = l;
  scaled.quantization.weight_scale = 0.5;
  EXPECT_NE(error(mx, scaled).find("weight_scale does not apply to mxfp4"), std::string::npos);
  scaled = l;
  scaled.quantization.activation_scale = 0.5;  // int8 activations take a configured scale
  EXPECT_EQ(error(mx, scaled), "");
  EXPECT_NE(error(testing::func_arch("mxfp4", "int8", "fp32", "block_dot", Dataflow::WeightStationary, 48), l)
                .find("do not divide the 48 rows"),
            std::string::npos);
  EXPECT_NE(error(testing::func_arch("mxfp4", "int8", "int32", "block_dot"), l).find("int32 accumulator"),
            std::string::npos);
  EXPECT_NE(error(testing::func_arch("mxfp4", "int8", "fp32", "exact"), l).find("use multiplier block_dot"),
            std::string::npos);
}

}  // namespace
}  // namespace qarch::func
