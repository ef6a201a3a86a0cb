// Functional mode's transformer operations against independent references: the vector unit's
// rounding against the codec, attention's layouts and quantized products against direct loops
// over the head formulas, softmax and the norms against their definitions in double.

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "func/compute_layer.hpp"
#include "func/layer_ops.hpp"
#include "func/quantized_layer.hpp"
#include "func/vector_format.hpp"
#include "func_test_support.hpp"
#include "mapping/mapping.hpp"
#include "numerics/codec.hpp"
#include "workload/shape_inference.hpp"

namespace qarch::func {
namespace {

using numerics::Format;
using workload::Layer;
using workload::LayerType;
using workload::Shape;

// Nearest-even rounding through the codec (saturating where the format has no infinities).
double codec_round(const Format& f, double x) {
  const numerics::Overflow o = f.has_infinity() ? numerics::Overflow::Infinity : numerics::Overflow::Saturate;
  return numerics::decode(f, numerics::encode(f, x, numerics::Rounding::NearestEven, o).code);
}

TEST(VectorFormat, RoundsLikeTheCodec) {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> mantissa(-2, 2);
  std::uniform_int_distribution<int> exponent(-30, 20);
  for (const char* name : {"fp32", "fp16", "bf16", "fp8_e5m2", "fp8_e4m3", "fp<4,3>", "fixed16_8", "int8"}) {
    const Format f = Format::parse(name);
    const VectorFormat v(f);
    for (int i = 0; i < 200000; ++i) {
      const double x = std::ldexp(mantissa(rng), exponent(rng));
      const double want = codec_round(f, x);
      ASSERT_EQ(v(x), want) << name << " " << x;
    }
    // Ties go to the even neighbour: halfway between 1 and the next value.
    if (f.kind() == numerics::FormatKind::Float) {
      const double ulp = std::ldexp(1.0, -f.mantissa_bits());
      EXPECT_EQ(v(1 + ulp / 2), 1.0) << name;
      EXPECT_EQ(v(1 + 1.5 * ulp), 1 + 2 * ulp) << name;
    }
  }
}

// q (C x T) . k (C_kv x T_k)^T per head, grouped-query: head h reads kv head h / (heads / kv).
Layer attention(bool transpose_b, std::int64_t heads, std::int64_t kv, std::int64_t dim, std::int64_t queries,
                std::int64_t keys) {
  Layer l;
  l.name = transpose_b ? "scores" : "context";
  l.type = LayerType::Matmul;
  l.heads = heads;
  l.kv_heads = kv;
  l.transpose_b = transpose_b;
  l.inputs = {"a", "b"};
  l.input = transpose_b ? Shape{heads * dim, queries, 1} : Shape{heads * keys, queries, 1};
  l.input_b = Shape{kv * dim, keys, 1};
  EXPECT_EQ(workload::infer_shape(l), "");
  return l;
}

std::vector<double> random_values(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> small(-8, 8);  // exact products and sums in any order
  std::vector<double> v(n);
  for (double& x : v) x = small(rng) / 4.0;
  return v;
}

// The direct formula of multi-head (grouped-query) attention products, in the layer's output
// layout: out[(h * n + c) * T + i].
std::vector<double> direct(const Layer& l, const std::vector<double>& a, const std::vector<double>& b) {
  const std::int64_t share = l.heads / l.kv_heads, T = l.input.h, Tk = l.input_b.h;
  const std::int64_t dim = l.input_b.c / l.kv_heads;
  const std::int64_t n = l.output.c / l.heads, k = l.input.c / l.heads;
  std::vector<double> out(static_cast<std::size_t>(l.output.elements()));
  for (std::int64_t h = 0; h < l.heads; ++h) {
    const std::int64_t g = h / share;
    for (std::int64_t c = 0; c < n; ++c) {
      for (std::int64_t i = 0; i < T; ++i) {
        double s = 0;
        for (std::int64_t j = 0; j < k; ++j) {
          const double x = a[static_cast<std::size_t>((h * k + j) * T + i)];
          // Q.K^T: key c, feature j; A.V: key j, value feature c.
          const double y = l.transpose_b ? b[static_cast<std::size_t>((g * dim + j) * Tk + c)]
                                         : b[static_cast<std::size_t>((g * dim + c) * Tk + j)];
          s += x * y;
        }
        out[static_cast<std::size_t>((h * n + c) * T + i)] = s;
      }
    }
  }
  return out;
}

class Attention : public ::testing::TestWithParam<bool> {};

TEST_P(Attention, QuantizedProductsEqualTheHeadFormula) {
  const Layer l = attention(GetParam(), 4, 2, 8, 5, 7);
  const std::vector<double> a = random_values(static_cast<std::size_t>(l.input.elements()), 1);
  const std::vector<double> b = random_values(static_cast<std::size_t>(l.input_b.elements()), 2);
  for (const auto dataflow : {arch::Dataflow::WeightStationary, arch::Dataflow::OutputStationary}) {
    const arch::ArchSpec arch = testing::func_arch("fp16", "fp16", "fp32", "exact", dataflow, 4, 4);
    QuantizedLayer q(arch, l, mapping::map_layer(arch, l), LayerParameters{}, false, 0, 0);
    std::vector<double> out(static_cast<std::size_t>(l.output.elements()));
    ComputeCounts counts;
    q.set_second_operand(b.data(), counts);
    q.run(a.data(), out.data(), nullptr, counts);
    EXPECT_EQ(out, direct(l, a, b));
  }
}

// On the block dot-product unit, both activations in MX blocks computed per sample: values of
// at most 2 in quarters are exact mxint8 elements, so the products are the formula's.
TEST_P(Attention, BlockDotProductsEqualTheHeadFormula) {
  const Layer l = attention(GetParam(), 4, 2, 8, 5, 7);
  const std::vector<double> a = random_values(static_cast<std::size_t>(l.input.elements()), 1);
  const std::vector<double> b = random_values(static_cast<std::size_t>(l.input_b.elements()), 2);
  const arch::ArchSpec arch = testing::func_arch("mxint8", "mxint8", "fp32", "block_dot");
  const auto q = make_compute_layer(arch, l, mapping::map_layer(arch, l), LayerParameters{}, false, 0, 0);
  std::vector<double> out(static_cast<std::size_t>(l.output.elements()));
  ComputeCounts counts;
  q->set_second_operand(b.data(), counts);
  q->run(a.data(), out.data(), nullptr, counts);
  EXPECT_EQ(out, direct(l, a, b));
}

TEST_P(Attention, Int8SecondOperandTakesItsCalibratedScaleAndCountsSaturation) {
  const Layer l = attention(GetParam(), 2, 1, 4, 3, 3);
  std::vector<double> a = random_values(static_cast<std::size_t>(l.input.elements()), 3);
  std::vector<double> b = random_values(static_cast<std::size_t>(l.input_b.elements()), 4);
  const arch::ArchSpec arch = testing::func_arch("int8", "int8", "int32");
  // |a| <= 2, |b| calibrated at 2: scale 2 / 127 each.
  QuantizedLayer q(arch, l, mapping::map_layer(arch, l), LayerParameters{}, false, 2, 1, 2, 1);
  EXPECT_DOUBLE_EQ(q.activation_scale(), 2.0 / 127);
  EXPECT_DOUBLE_EQ(q.weight_scale(), 2.0 / 127);
  b[0] = 4;  // twice the calibrated range: saturates to 127 codes = 2
  ComputeCounts counts;
  q.set_second_operand(b.data(), counts);
  EXPECT_EQ(counts.saturated_activations, 1);
  std::vector<double> out(static_cast<std::size_t>(l.output.elements()));
  q.run(a.data(), out.data(), nullptr, counts);
  b[0] = 2;
  std::vector<double> want = direct(l, a, b);
  for (std::size_t i = 0; i < out.size(); ++i) EXPECT_NEAR(out[i], want[i], 0.1) << i;
}

INSTANTIATE_TEST_SUITE_P(ScoresAndContext, Attention, ::testing::Bool());

Layer vector_layer(const std::string& function, Shape shape) {
  Layer l;
  l.name = function;
  l.type = LayerType::Activation;
  l.function = function;
  l.inputs = {"x"};
  l.input = shape;
  EXPECT_EQ(workload::infer_shape(l), "");
  return l;
}

TEST(Softmax, EachHeadSumsToOneAndTheCausalMaskHidesLaterKeys) {
  Layer l = vector_layer("softmax", Shape{3 * 6, 4, 1});  // 3 heads of 6 keys, 4 queries
  l.heads = 3;
  l.causal = true;
  const std::vector<double> x = random_values(static_cast<std::size_t>(l.input.elements()), 5);
  std::vector<double> out(x.size());
  run_vector_layer<double>(l, LayerParameters{}, x.data(), nullptr, out.data());
  for (std::int64_t h = 0; h < 3; ++h) {
    for (std::int64_t i = 0; i < 4; ++i) {
      const std::int64_t visible = i + 1 + 6 - 4;  // the 2 cached keys and the new ones up to i
      double denominator = 0;
      for (std::int64_t j = 0; j < visible; ++j) denominator += std::exp(x[static_cast<std::size_t>((h * 6 + j) * 4 + i)]);
      for (std::int64_t j = 0; j < 6; ++j) {
        const double got = out[static_cast<std::size_t>((h * 6 + j) * 4 + i)];
        const double want = j < visible ? std::exp(x[static_cast<std::size_t>((h * 6 + j) * 4 + i)]) / denominator : 0;
        EXPECT_NEAR(got, want, 1e-15) << h << " " << i << " " << j;
      }
    }
  }
}

TEST(Norms, LayernormAndRmsnormFollowTheirDefinitionAndRoundInTheUnitsFormat) {
  for (const char* function : {"layernorm", "rmsnorm"}) {
    const Layer l = vector_layer(function, Shape{8, 3, 1});
    LayerParameters p;
    for (int c = 0; c < 8; ++c) {
      p.weights.push_back(0.5f + 0.25f * static_cast<float>(c));
      p.bias.push_back(-1.0f + 0.125f * static_cast<float>(c));
    }
    const std::vector<double> x = random_values(24, 6);
    std::vector<double> out(24), bf(24);
    run_vector_layer<double>(l, p, x.data(), nullptr, out.data());
    const VectorFormat bf16(Format::parse("bf16"));
    run_vector_layer<double>(l, p, x.data(), nullptr, bf.data(), &bf16);
    const bool rms = std::string(function) == "rmsnorm";
    for (std::int64_t t = 0; t < 3; ++t) {
      double mean = 0, squares = 0;
      for (std::int64_t c = 0; c < 8; ++c) mean += x[static_cast<std::size_t>(c * 3 + t)] / 8;
      if (rms) mean = 0;
      for (std::int64_t c = 0; c < 8; ++c) squares += std::pow(x[static_cast<std::size_t>(c * 3 + t)] - mean, 2) / 8;
      for (std::int64_t c = 0; c < 8; ++c) {
        const std::size_t i = static_cast<std::size_t>(c * 3 + t);
        const double want = (x[i] - mean) / std::sqrt(squares + 1e-5) * p.weights[static_cast<std::size_t>(c)] +
                            p.bias[static_cast<std::size_t>(c)];
        EXPECT_NEAR(out[i], want, 1e-12) << function;
        EXPECT_EQ(bf16(bf[i]), bf[i]) << function;          // a bf16 value
        EXPECT_NEAR(bf[i], want, 0.05 * (1 + std::fabs(want))) << function;  // within bf16's few steps
      }
    }
  }
}

}  // namespace
}  // namespace qarch::func
