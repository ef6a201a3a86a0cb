// Functional mode's language-model pieces against independent references: rotary position
// embedding against the rotation it defines (and the relative-position property that is its
// point), embedding tables against the codec and the block quantizer, the scoring of text
// windows against a direct log-softmax of the traced logits, and the tiny LM of
// workloads/text/tinylm.yaml against PyTorch (tests/data/func/tinylm_golden.json).

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <random>

#include "func/embedding.hpp"
#include "func/functional_run.hpp"
#include "func/layer_ops.hpp"
#include "func/vector_format.hpp"
#include "func_test_support.hpp"
#include "numerics/codec.hpp"
#include "support/diagnostics.hpp"
#include "workload/npy_reader.hpp"
#include "workload/shape_inference.hpp"

namespace qarch::func {
namespace {

using workload::Layer;
using workload::LayerType;
using workload::Shape;

const std::string kTinyLm = std::string(QARCH_SOURCE_DIR) + "/workloads/text/tinylm.yaml";

Layer rope_layer(std::int64_t heads, std::int64_t dim, std::int64_t tokens) {
  Layer l;
  l.name = "rope";
  l.type = LayerType::Activation;
  l.function = "rope";
  l.heads = heads;
  l.inputs = {"q"};
  l.input = Shape{heads * dim, tokens, 1};
  EXPECT_EQ(workload::infer_shape(l), "");
  return l;
}

std::vector<double> random_doubles(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(-2, 2);
  std::vector<double> v(n);
  for (double& x : v) x = u(rng);
  return v;
}

// In double, rope is the rotation of each pair (i, i + d/2) of a head by t x theta^(-2i/d).
TEST(Rope, RotatesEachHeadsChannelPairsByItsTokensAngle) {
  const std::int64_t heads = 3, d = 8, tokens = 7;
  Layer l = rope_layer(heads, d, tokens);
  l.rope_theta = 100;
  const std::vector<double> x = random_doubles(static_cast<std::size_t>(heads * d * tokens), 1);
  std::vector<double> y(x.size());
  run_vector_layer<double>(l, LayerParameters{}, x.data(), nullptr, y.data());
  for (std::int64_t h = 0; h < heads; ++h) {
    for (std::int64_t t = 0; t < tokens; ++t) {
      for (std::int64_t i = 0; i < d / 2; ++i) {
        const double angle = static_cast<double>(t) / std::pow(100.0, 2.0 * static_cast<double>(i) / d);
        const auto at = [&](std::int64_t c) { return static_cast<std::size_t>((h * d + c) * tokens + t); };
        const double a = x[at(i)], b = x[at(i + d / 2)];
        EXPECT_NEAR(y[at(i)], a * std::cos(angle) - b * std::sin(angle), 1e-14);
        EXPECT_NEAR(y[at(i + d / 2)], b * std::cos(angle) + a * std::sin(angle), 1e-14);
        EXPECT_NEAR(std::hypot(y[at(i)], y[at(i + d / 2)]), std::hypot(a, b), 1e-14);  // a rotation
      }
    }
  }
  // Token 0 does not turn.
  for (std::int64_t c = 0; c < heads * d; ++c) EXPECT_EQ(y[static_cast<std::size_t>(c * tokens)], x[static_cast<std::size_t>(c * tokens)]);
}

// Its point: the score of a query and a key depends on their distance only. The same vector at
// every position: q(t) . k(s) equals q(t + 1) . k(s + 1).
TEST(Rope, ScoresDependOnTheDistanceOnly) {
  const std::int64_t d = 16, tokens = 12;
  const Layer l = rope_layer(1, d, tokens);
  const std::vector<double> u = random_doubles(d, 2), v = random_doubles(d, 3);
  std::vector<double> q(static_cast<std::size_t>(d * tokens)), k(q.size()), rq(q.size()), rk(q.size());
  for (std::int64_t c = 0; c < d; ++c) {
    for (std::int64_t t = 0; t < tokens; ++t) {
      q[static_cast<std::size_t>(c * tokens + t)] = u[static_cast<std::size_t>(c)];
      k[static_cast<std::size_t>(c * tokens + t)] = v[static_cast<std::size_t>(c)];
    }
  }
  run_vector_layer<double>(l, LayerParameters{}, q.data(), nullptr, rq.data());
  run_vector_layer<double>(l, LayerParameters{}, k.data(), nullptr, rk.data());
  const auto score = [&](std::int64_t t, std::int64_t s) {
    double sum = 0;
    for (std::int64_t c = 0; c < d; ++c) sum += rq[static_cast<std::size_t>(c * tokens + t)] * rk[static_cast<std::size_t>(c * tokens + s)];
    return sum;
  };
  for (std::int64_t t = 0; t + 1 < tokens; ++t) {
    for (std::int64_t s = 0; s + 1 < tokens; ++s) EXPECT_NEAR(score(t, s), score(t + 1, s + 1), 1e-12) << t << " " << s;
  }
  EXPECT_GT(std::fabs(score(0, 0) - score(5, 0)), 1e-3);  // and it does depend on the distance
}

// In a bf16 unit every output is a bf16 value within a few of its ulps of the exact rotation.
TEST(Rope, Bf16UnitRoundsEveryStep) {
  const Layer l = rope_layer(2, 8, 9);
  const VectorFormat bf16(numerics::Format::parse("bf16"));
  const std::vector<double> x = random_doubles(2 * 8 * 9, 4);
  std::vector<double> exact(x.size()), y(x.size());
  run_vector_layer<double>(l, LayerParameters{}, x.data(), nullptr, exact.data());
  run_vector_layer<double>(l, LayerParameters{}, x.data(), nullptr, y.data(), &bf16);
  double worst = 0;
  for (std::size_t j = 0; j < y.size(); ++j) {
    EXPECT_EQ(bf16(y[j]), y[j]);
    worst = std::max(worst, std::fabs(y[j] - exact[j]));
  }
  EXPECT_GT(worst, 0);              // bf16 is not exact
  EXPECT_LT(worst, 4 * 2.0 / 128);  // a few ulps of values below 2 (8 significant bits)
}

Layer embedding_layer(std::int64_t vocab, std::int64_t dim, std::int64_t tokens) {
  Layer l;
  l.name = "embed";
  l.type = LayerType::Embedding;
  l.vocab = vocab;
  l.out_features = dim;
  l.inputs = {"input"};
  l.input = Shape{1, tokens, 1};
  EXPECT_EQ(workload::infer_shape(l), "");
  return l;
}

// int8: the rows' values are the codec's nearest codes at max|w| / 127, channel-major per token.
TEST(Embedding, StoresTheTableInTheWeightFormat) {
  const std::int64_t vocab = 300, dim = 6, tokens = 5;
  const Layer l = embedding_layer(vocab, dim, tokens);
  LayerParameters p;
  std::mt19937_64 rng(5);
  std::normal_distribution<float> n(0, 1);
  for (std::int64_t i = 0; i < vocab * dim; ++i) p.weights.push_back(n(rng));
  double max_abs = 0;
  for (const float w : p.weights) max_abs = std::max(max_abs, std::fabs(static_cast<double>(w)));
  const EmbeddingTable table(testing::func_arch("int8", "int8", "int32"), l, p);
  EXPECT_DOUBLE_EQ(table.scale(), max_abs / 127);
  EXPECT_EQ(table.saturated(), 0);
  const numerics::Format int8 = numerics::Format::parse("int8");
  const std::vector<double> ids = {0, 299, 7, 7, 150};
  std::vector<double> out(static_cast<std::size_t>(dim * tokens));
  table.gather(ids.data(), out.data(), tokens);
  for (std::int64_t t = 0; t < tokens; ++t) {
    for (std::int64_t c = 0; c < dim; ++c) {
      const double w = p.weights[static_cast<std::size_t>(static_cast<std::int64_t>(ids[static_cast<std::size_t>(t)]) * dim + c)];
      const auto code = numerics::encode(int8, w / table.scale(), numerics::Rounding::NearestEven, numerics::Overflow::Saturate).code;
      EXPECT_EQ(out[static_cast<std::size_t>(c * tokens + t)], numerics::decode(int8, code) * table.scale());
    }
  }
}

// A block format: each row is its own run of blocks, as numerics::quantize_blocks gives them.
TEST(Embedding, BlockFormatsQuantizeEachRowInBlocks) {
  const std::int64_t vocab = 4, dim = 64;
  const Layer l = embedding_layer(vocab, dim, vocab);
  LayerParameters p;
  std::mt19937_64 rng(6);
  std::normal_distribution<float> n(0, 1);
  for (std::int64_t i = 0; i < vocab * dim; ++i) p.weights.push_back(n(rng) * static_cast<float>(1 + i / dim * 10));
  const arch::ArchSpec a = testing::func_arch("mxint8", "mxint8", "fp32");
  const EmbeddingTable table(a, l, p);
  const std::vector<double> ids = {3, 2, 1, 0};
  std::vector<double> out(static_cast<std::size_t>(dim * vocab));
  table.gather(ids.data(), out.data(), vocab);
  const numerics::BlockFormat block = *numerics::Format::parse("mxint8").block_format();
  bool changed = false;
  for (std::int64_t t = 0; t < vocab; ++t) {
    const std::int64_t row = static_cast<std::int64_t>(ids[static_cast<std::size_t>(t)]);
    const std::vector<float> values(p.weights.begin() + row * dim, p.weights.begin() + (row + 1) * dim);
    const std::vector<double> want = numerics::quantize_blocks(block, values, a.pe_array.block_scale_rule, a.pe_array.block_rounding);
    for (std::int64_t c = 0; c < dim; ++c) {
      EXPECT_EQ(out[static_cast<std::size_t>(c * vocab + t)], want[static_cast<std::size_t>(c)]);
      changed = changed || want[static_cast<std::size_t>(c)] != values[static_cast<std::size_t>(c)];
    }
  }
  EXPECT_TRUE(changed);
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Window n of 64 bytes is scored on bytes nT + 1 .. nT + T: perplexity is exp of the mean
// negative log-likelihood of those bytes under the logits the run computed, top-1 their argmax.
TEST(LanguageModel, ScoresEveryPositionOfEveryWindowByTheNextByte) {
  const workload::Network net = workload::load_network(kTinyLm);
  ASSERT_TRUE(net.text.has_value());
  const std::string text = read_file(net.text->test_file);
  FunctionalOptions o;
  o.limit = 3;
  o.trace_images = 3;
  const FunctionalResult r = run_functional(testing::func_arch("int8", "int8", "int32"), net, o);
  const std::int64_t tokens = net.input.h;
  ASSERT_EQ(r.images, 3);
  ASSERT_EQ(r.positions, 3 * tokens);
  double nll = 0;
  std::int64_t correct = 0;
  for (std::int64_t n = 0; n < 3; ++n) {
    const std::vector<double>& logits = r.traces[static_cast<std::size_t>(n)].outputs.back();
    ASSERT_EQ(logits.size(), static_cast<std::size_t>(256 * tokens));
    for (std::int64_t p = 0; p < tokens; ++p) {
      const int target = static_cast<unsigned char>(text[static_cast<std::size_t>(n * tokens + p + 1)]);
      double top = -INFINITY, sum = 0;
      int best = 0;
      for (int v = 0; v < 256; ++v) {
        const double x = logits[static_cast<std::size_t>(v * tokens + p)];
        if (x > top) {
          top = x;
          best = v;
        }
      }
      for (int v = 0; v < 256; ++v) sum += std::exp(logits[static_cast<std::size_t>(v * tokens + p)] - top);
      nll += std::log(sum) + top - logits[static_cast<std::size_t>(target * tokens + p)];
      correct += best == target;
      EXPECT_EQ(r.predictions[static_cast<std::size_t>(n * tokens + p)], best);
    }
  }
  ASSERT_TRUE(r.perplexity.has_value());
  EXPECT_NEAR(*r.perplexity, std::exp(nll / static_cast<double>(3 * tokens)), 1e-9 * *r.perplexity);
  EXPECT_EQ(r.correct, correct);
  // The embedding's table went through int8: its scale and format are reported.
  EXPECT_EQ(r.layers[0].weight_format, "int8");
  EXPECT_GT(r.layers[0].weight_scale, 0);
}

// float32 on every MPL-2.0 window: PyTorch's argmax at every position and its perplexity.
TEST(LanguageModel, Float32RunGivesPyTorchsPerplexity) {
  std::ifstream in(testing::func_data("tinylm_golden.json"));
  ASSERT_TRUE(in.good());
  const nlohmann::json g = nlohmann::json::parse(in)["fp32"];
  const workload::Network net = workload::load_network(kTinyLm);
  const FunctionalResult r = run_functional(testing::func_arch("fp32", "fp32", "fp32"), net, FunctionalOptions{});
  EXPECT_EQ(r.images, g["windows"].get<std::int64_t>());
  EXPECT_EQ(r.predictions, g["predictions"].get<std::vector<std::int32_t>>());
  EXPECT_NEAR(*r.perplexity, g["perplexity"].get<double>(), 1e-6 * *r.perplexity);
  EXPECT_NEAR(*r.reference_perplexity, g["perplexity"].get<double>(), 1e-6 * *r.perplexity);
  for (const LayerValueStats& s : r.layers) EXPECT_GT(s.sqnr_db, 90) << s.name;  // float32 in other orders
}

// int8 products with an fp32 unit: perplexity within 5 % of float32's.
TEST(LanguageModel, Int8StaysNearFloat32) {
  const workload::Network net = workload::load_network(kTinyLm);
  FunctionalOptions o;
  o.limit = 60;
  o.calibration_images = 100;
  const FunctionalResult r = run_functional(testing::func_arch("int8", "int8", "int32"), net, o);
  EXPECT_GT(*r.perplexity, *r.reference_perplexity * 0.99);
  EXPECT_LT(*r.perplexity, *r.reference_perplexity * 1.05);
}

std::string temp_dir(const std::string& name) {
  const std::string dir = std::string(QARCH_BINARY_DIR) + "/func_test_" + name;
  EXPECT_EQ(std::system(("mkdir -p " + dir).c_str()), 0);
  return dir;
}

std::string joined(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += x + "\n";
  return s;
}

TEST(LanguageModelErrors, EmbeddingsNeedATextTheirVocabularyAndAWindow) {
  const std::string dir = temp_dir("lm_errors");
  workload::write_npy(dir + "/e.npy", workload::NpyArray{{100, 4}, std::vector<float>(400, 0.5f)});
  workload::write_npy(dir + "/h.npy", workload::NpyArray{{256, 4}, std::vector<float>(1024, 0.5f)});
  std::ofstream(dir + "/short.txt") << "0123456789";
  const std::string layers = "layers:\n  - {name: e, type: embedding, vocab: 100, dim: 4, weights: e.npy}\n"
                             "  - {name: h, type: matmul, out_features: 256, weights: h.npy}\n";
  const arch::ArchSpec a = testing::func_arch("fp32", "fp32", "fp32");
  std::ofstream(dir + "/no_text.yaml") << "name: t\ninput: {channels: 1, height: 16, width: 1}\n" << layers;
  const std::string d1 = joined(testing::diagnostics_of(
      [&] { run_functional(a, workload::load_network(dir + "/no_text.yaml"), FunctionalOptions{}); }));
  EXPECT_NE(d1.find("layers.e: an embedding looks up token ids: functional mode needs the workload's `text` corpus"),
            std::string::npos) << d1;
  std::ofstream(dir + "/lm.yaml") << "name: t\ninput: {channels: 1, height: 16, width: 1}\n"
                                     "text: {test: short.txt, calibration: short.txt}\n" << layers;
  const std::string d2 = joined(testing::diagnostics_of(
      [&] { run_functional(a, workload::load_network(dir + "/lm.yaml"), FunctionalOptions{}); }));
  EXPECT_NE(d2.find("layers.e.vocab: the text's tokens are its bytes (256 ids); the table has 100 rows"),
            std::string::npos) << d2;
  workload::write_npy(dir + "/e.npy", workload::NpyArray{{256, 4}, std::vector<float>(1024, 0.5f)});
  std::ofstream(dir + "/lm256.yaml") << "name: t\ninput: {channels: 1, height: 16, width: 1}\n"
                                        "text: {test: short.txt, calibration: short.txt}\n"
                                        "layers:\n  - {name: e, type: embedding, vocab: 256, dim: 4, weights: e.npy}\n"
                                        "  - {name: h, type: matmul, out_features: 256, weights: h.npy}\n";
  const std::string d3 = joined(testing::diagnostics_of(
      [&] { run_functional(a, workload::load_network(dir + "/lm256.yaml"), FunctionalOptions{}); }));
  EXPECT_NE(d3.find("short.txt: the text has 10 bytes, fewer than one window of 16 tokens and its next one"),
            std::string::npos) << d3;
}

}  // namespace
}  // namespace qarch::func
