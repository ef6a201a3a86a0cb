// qarch run --phase on decoders (eval/llm.hpp), as a user runs it: the rows against closed forms
// of the model's MACs, batch-1 decoding against the weight bytes it must stream, and W4A16
// against int8. One simulation per process, so every run is a qarch process.

#include <gtest/gtest.h>

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "cli_support.hpp"
#include "workload/decoder.hpp"

namespace qarch::cli {
namespace {

using nlohmann::json;
using testing::run_process;
using testing::source_path;

const std::string kGpt2 = "workloads/decoders/gpt2_small.yaml";

json run_json(std::vector<std::string> args) {
  args.insert(args.begin(), "run");
  args.insert(args.end(), {"--format", "json"});
  const auto o = run_process(args);
  EXPECT_EQ(o.status, 0) << o.err;
  return json::parse(o.out);
}

workload::DecoderSpec gpt2() { return workload::load_decoder(config::Document::load(source_path(kGpt2))); }

std::int64_t row_macs(const json& summary, const std::string& row) {
  for (const json& layer : summary["layers"]) {
    if (layer["name"] == row) return layer["macs"].get<std::int64_t>();
  }
  ADD_FAILURE() << "no row " << row;
  return -1;
}

// A decoder without --phase is its prefill of decoder.sequence tokens.
TEST(Generation, ADecoderRunsItsPrefillByDefault) {
  const json s = run_json({"--arch", source_path("configs/int8.yaml"), "--workload", source_path(kGpt2)});
  EXPECT_EQ(s["phase"], "prefill");
  EXPECT_EQ(s["prompt_tokens"].get<std::int64_t>(), gpt2().sequence);
}

// Prefill rows sum every block: the MACs are the whole model's on P tokens, and the scores row
// is heads x P x P x head_dim per block.
TEST(Generation, PrefillRowsSumEveryBlock) {
  const json s = run_json({"--arch", source_path("configs/int8.yaml"), "--workload", source_path(kGpt2), "--phase",
                           "prefill", "--prompt-tokens", "16"});
  const workload::DecoderSpec d = gpt2();
  std::int64_t macs = 0;
  for (const json& layer : s["layers"]) macs += layer["macs"].get<std::int64_t>();
  EXPECT_EQ(macs, workload::decoder_network(d, 16, 1).macs());
  EXPECT_EQ(row_macs(s, "prefill.scores"), d.layers * d.heads * 16 * 16 * d.head_dim);
  EXPECT_EQ(s["phase"], "prefill");
  EXPECT_GT(s["ttft_s"].get<double>(), 0);
  EXPECT_TRUE(s["tpot_s"].is_null());
}

// The MACs of decode step t (context P + 1 + t) over every block, head included.
std::int64_t decode_step_macs(const workload::DecoderSpec& d, std::int64_t P, std::int64_t t, std::int64_t B) {
  const workload::DecoderStep step = workload::decoder_step(d, 1, P + 1 + t, B);
  std::int64_t macs = 0;
  for (std::size_t i = 0; i < step.network.layers.size(); ++i) {
    macs += step.network.layers[i].macs() * (i < step.block_layers ? d.layers : 1);
  }
  return macs;
}

// Decode rows are one step, the last: the scores row attends to P + G cached tokens; the totals
// cover all G steps, whose attention grows from P + 1 to P + G.
TEST(Generation, DecodeRowsAreTheLastStepAndTheTotalsEveryStep) {
  const std::int64_t P = 8, G = 5, B = 2;
  const json s = run_json({"--arch", source_path("configs/int8.yaml"), "--workload", source_path(kGpt2), "--phase",
                           "decode", "--prompt-tokens", std::to_string(P), "--generate-tokens", std::to_string(G),
                           "--batch", std::to_string(B)});
  const workload::DecoderSpec d = gpt2();
  EXPECT_EQ(row_macs(s, "decode.scores"), d.layers * B * d.heads * d.head_dim * (P + G));
  EXPECT_EQ(row_macs(s, "decode.context"), d.layers * B * d.heads * d.head_dim * (P + G));
  EXPECT_EQ(row_macs(s, "decode.q"), d.layers * B * d.hidden * d.heads * d.head_dim);
  EXPECT_EQ(row_macs(s, "decode.lm_head"), B * d.hidden * d.vocab);
  std::int64_t rows = 0, cycles = 0;
  for (const json& layer : s["layers"]) {
    rows += layer["macs"].get<std::int64_t>();
    cycles += layer["total_cycles"].get<std::int64_t>();
  }
  EXPECT_EQ(rows, decode_step_macs(d, P, G - 1, B));
  std::int64_t total = 0, contexts = 0;
  for (std::int64_t t = 0; t < G; ++t) {
    total += decode_step_macs(d, P, t, B);
    contexts += P + 1 + t;
  }
  EXPECT_EQ(s["macs"].get<std::int64_t>(), total);
  EXPECT_EQ(total - G * decode_step_macs(d, P, 0, B),
            2 * d.layers * B * d.heads * d.head_dim * (contexts - G * (P + 1)));  // scores and context
  // G steps like the rows' take about the whole run (the steps differ only in their attention).
  EXPECT_LT(std::llabs(G * cycles - s["total_cycles"].get<std::int64_t>()), cycles);
  const json& g = s;
  EXPECT_EQ(g["kv_cache_bytes"].get<std::int64_t>(), 2 * d.layers * d.kv_heads * d.head_dim * (P + G) * B);
  EXPECT_NEAR(g["tokens_per_s"].get<double>(), B / g["tpot_s"].get<double>(), 1e-9 * g["tokens_per_s"].get<double>());
}

// generate: the prefill rows are the whole prefill; the totals are the prefill and every step.
TEST(Generation, GenerateTotalsArePrefillAndEveryDecodeStep) {
  const std::int64_t P = 8, G = 3;
  const json s = run_json({"--arch", source_path("configs/int8.yaml"), "--workload", source_path(kGpt2), "--phase",
                           "generate", "--prompt-tokens", std::to_string(P), "--generate-tokens", std::to_string(G)});
  const workload::DecoderSpec d = gpt2();
  std::int64_t prefill = 0, decode = 0;
  for (const json& layer : s["layers"]) {
    const std::string name = layer["name"];
    (name.rfind("prefill.", 0) == 0 ? prefill : decode) += layer["macs"].get<std::int64_t>();
  }
  EXPECT_EQ(prefill, workload::decoder_network(d, P, 1).macs());
  EXPECT_EQ(decode, decode_step_macs(d, P, G - 1, 1));
  std::int64_t total = prefill;
  for (std::int64_t t = 0; t < G; ++t) total += decode_step_macs(d, P, t, 1);
  EXPECT_EQ(s["macs"].get<std::int64_t>(), total);
}

// Batch 1: every decode step streams all weights from DRAM (GPT-2 does not fit on chip), so
// DRAM bytes per token are the model's weight bytes plus a little (the KV cache, activations),
// and a token takes at least weight bytes / peak bandwidth (25.6 GB/s for LPDDR4-3200).
TEST(Generation, BatchOneDecodingStreamsTheWeights) {
  const json s = run_json({"--arch", source_path("configs/int8.yaml"), "--workload", source_path(kGpt2), "--phase",
                           "decode", "--prompt-tokens", "8", "--generate-tokens", "2"});
  const json& g = s;
  EXPECT_FALSE(g["weights_resident"].get<bool>());  // the run's residency: the whole model's
  const double weights = g["model_weight_bytes"].get<double>();
  EXPECT_EQ(weights, gpt2().model_weights());  // int8: a byte each
  const double per_token = g["dram_bytes_per_token"].get<double>();
  EXPECT_GE(per_token, weights);
  EXPECT_LT(per_token, 1.05 * weights);
  EXPECT_GE(g["tpot_s"].get<double>(), weights / 25.6e9);
}

// W4A16 (int4 weights, a scale per 128) on the same 128x128 array streams about
// (4 + 32/128) / 8 of int8's bytes per token.
TEST(Generation, Int4GroupWeightsHalveTheBytesPerToken) {
  const std::vector<std::string> common = {"--workload", source_path(kGpt2), "--phase", "decode", "--prompt-tokens", "8",
                                           "--generate-tokens", "2"};
  std::vector<std::string> a = {"--arch", source_path("configs/int8.yaml"), "--set", "pe_array.rows=128", "--set",
                                "pe_array.cols=128"};
  a.insert(a.end(), common.begin(), common.end());
  std::vector<std::string> b = {"--arch", source_path("configs/int4-g128.yaml")};
  b.insert(b.end(), common.begin(), common.end());
  const double int8 = run_json(a)["dram_bytes_per_token"].get<double>();
  const double int4 = run_json(b)["dram_bytes_per_token"].get<double>();
  EXPECT_NEAR(int4 / int8, (4 + 32.0 / 128) / 8, 0.03);
}

TEST(Generation, BadSettingsAreUserErrors) {
  const std::string arch = source_path("configs/int8.yaml");
  const struct {
    std::vector<std::string> args;
    const char* message;
  } cases[] = {
      {{"--workload", source_path("workloads/lenet5.yaml"), "--phase", "decode"}, "needs a decoder workload"},
      {{"--workload", source_path(kGpt2), "--phase", "sample"}, "--phase must be prefill, decode or generate"},
      {{"--workload", source_path(kGpt2), "--phase", "decode", "--batch", "0"}, "--batch must be at least 1"},
      {{"--workload", source_path("workloads/lenet5.yaml"), "--batch", "2"}, "need --phase"},
      {{"--workload", source_path(kGpt2), "--functional"}, "without --functional"},
      {{"--workload", source_path(kGpt2), "--phase", "generate", "--prompt-tokens", "1000", "--generate-tokens",
        "100"},
       "beyond the model's max_context 1024"},
  };
  for (const auto& c : cases) {
    std::vector<std::string> args = {"run", "--arch", arch};
    args.insert(args.end(), c.args.begin(), c.args.end());
    const auto o = run_process(args);
    EXPECT_NE(o.status, 0);
    EXPECT_NE(o.err.find(c.message), std::string::npos) << o.err;
  }
}

}  // namespace
}  // namespace qarch::cli
