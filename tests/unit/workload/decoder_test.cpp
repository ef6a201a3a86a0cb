// Decoders from their published hyper-parameters: parameter counts against the published
// totals, MACs of prefill and decode steps against closed forms.

#include "workload/decoder.hpp"

#include <gtest/gtest.h>

#include "config/document.hpp"
#include "workload/network.hpp"

namespace qarch::workload {
namespace {

DecoderSpec shipped(const std::string& file) {
  return load_decoder(config::Document::load(std::string(QARCH_SOURCE_DIR) + "/workloads/decoders/" + file));
}

// Norm weights: two per block and the final one, hidden each (RMSNorm; LayerNorm has biases too).
std::int64_t norm_weights(const DecoderSpec& s) { return (2 * s.layers + 1) * s.hidden; }

TEST(Decoder, ParameterCountsMatchThePublishedModels) {
  // Llama-2-7B: 6,738,415,616 parameters (Hugging Face meta-llama/Llama-2-7b-hf), untied
  // embedding and LM head.
  const DecoderSpec l7 = shipped("llama2_7b.yaml");
  EXPECT_EQ(l7.model_weights() + l7.hidden * l7.vocab + norm_weights(l7), 6738415616LL);
  // Llama-3.2-1B: 1,235,814,400, its LM head tied to the embedding (counted once).
  const DecoderSpec l1 = shipped("llama3.2_1b.yaml");
  EXPECT_EQ(l1.model_weights() + norm_weights(l1), 1235814400LL);
  // GPT-2 small: 124,439,808 with 786,432 position embeddings and 121,344 biases and LayerNorm
  // parameters, which qarch does not stream as matmul weights; the LM head is the tied embedding.
  const DecoderSpec g = shipped("gpt2_small.yaml");
  EXPECT_EQ(g.model_weights() + 1024 * 768 + 121344, 124439808LL);
}

// One block's MACs on `t` new tokens against `context` tokens, batch 1.
std::int64_t block_macs(const DecoderSpec& s, std::int64_t t, std::int64_t context) {
  const std::int64_t projections = t * s.hidden * (s.heads + 2 * s.kv_heads) * s.head_dim + t * s.heads * s.head_dim * s.hidden;
  const std::int64_t attention = 2 * s.heads * t * context * s.head_dim;  // scores and context
  const std::int64_t mlp = t * s.hidden * s.ffn * (s.feed_forward == FeedForward::SwiGlu ? 3 : 2);
  return projections + attention + mlp;
}

TEST(Decoder, PrefillMacsAreTheClosedForm) {
  for (const char* file : {"gpt2_small.yaml", "llama3.2_1b.yaml", "llama2_7b.yaml"}) {
    const DecoderSpec s = shipped(file);
    for (std::int64_t t : {1, 17, 128}) {
      const Network net = decoder_network(s, t, 1);
      EXPECT_EQ(net.macs(), s.layers * block_macs(s, t, t) + t * s.hidden * s.vocab) << file << " " << t;
      std::int64_t weights = 0;
      for (const Layer& l : net.layers) weights += l.has_weights() ? l.weight_elements() : 0;
      EXPECT_EQ(weights, s.model_weights()) << file;
    }
    // A plain load runs the prefill of `sequence` tokens through every block.
    const Network plain = load_network(std::string(QARCH_SOURCE_DIR) + "/workloads/decoders/" + file);
    EXPECT_EQ(plain.macs(), decoder_network(s, s.sequence, 1).macs());
    EXPECT_NE(plain.find("block" + std::to_string(s.layers - 1) + ".down"), nullptr);
  }
}

TEST(Decoder, DecodeAttentionGrowsWithTheContextAndTheRestDoesNot) {
  const DecoderSpec s = shipped("llama3.2_1b.yaml");
  const DecoderStep a = decoder_step(s, 1, 100, 1), b = decoder_step(s, 1, 101, 1);
  ASSERT_EQ(a.network.layers.size(), b.network.layers.size());
  EXPECT_EQ(a.network.macs(), block_macs(s, 1, 100) + s.hidden * s.vocab);
  for (std::size_t i = 0; i < a.network.layers.size(); ++i) {
    const Layer &la = a.network.layers[i], &lb = b.network.layers[i];
    const bool attention = la.name == "scores" || la.name == "context";
    // One more cached token: heads x head_dim more MACs in each attention matmul, none elsewhere.
    EXPECT_EQ(lb.macs() - la.macs(), attention ? s.heads * s.head_dim : 0) << la.name;
  }
  const Layer* scores = a.network.find("scores");
  ASSERT_NE(scores, nullptr);
  EXPECT_EQ(scores->gemm.groups, s.kv_heads);  // grouped-query: one product per cached head
  EXPECT_EQ(scores->input_b, (Shape{s.kv_heads * s.head_dim, 100, 1}));
  EXPECT_EQ(scores->inputs[1], "kv_cache.k");  // read from DRAM, produced by no layer
  EXPECT_EQ(a.block_layers, a.network.layers.size() - 2);
  // Batched decode: every linear layer's m is the batch; the weights are shared.
  const DecoderStep batched = decoder_step(s, 1, 100, 8);
  EXPECT_EQ(batched.network.find("q")->gemm.m, 8);
  EXPECT_EQ(batched.network.find("q")->weight_elements(), a.network.find("q")->weight_elements());
}

TEST(Decoder, BadSpecsAreErrorsNamingTheKey) {
  const auto problems = [](const std::string& body) {
    try {
      load_decoder(config::Document::parse("name: d\ndecoder:\n" + body, "d.yaml"));
    } catch (const config::InputError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  const std::string ok = "  layers: 2\n  hidden: 64\n  heads: 4\n  ffn: 128\n  vocab: 100\n";
  EXPECT_EQ(problems(ok), "");
  EXPECT_NE(problems(ok + "  kv_heads: 3\n").find("decoder.kv_heads: must divide heads (4)"), std::string::npos);
  EXPECT_NE(problems(ok + "  hiden: 3\n").find("decoder.hiden: unknown key (did you mean 'hidden'?)"),
            std::string::npos);
  EXPECT_NE(problems(ok + "  max_context: 64\n  sequence: 65\n").find("decoder.sequence: out of range"),
            std::string::npos);
  EXPECT_NE(problems(ok + "  kv_cache_format: int9_g32\n").find("decoder.kv_cache_format"), std::string::npos);
  EXPECT_NE(problems("  layers: 2\n").find("missing required key 'hidden'"), std::string::npos);
}

}  // namespace
}  // namespace qarch::workload
