#include "workload/yaml_network_loader.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "support/diagnostics.hpp"
#include "support/print_shape.hpp"

#include "workload/network.hpp"

namespace qarch::workload {
namespace {

Network parse(const std::string& yaml) {
  return load_yaml_network(config::Document::parse(yaml, "net.yaml"));
}

// Every diagnostic of a network that must fail to load.
std::vector<std::string> problems(const std::string& yaml) {
  return testing::diagnostics_of([&] { parse(yaml); });
}

const std::string kHeader = "name: t\ninput: {channels: 3, height: 8, width: 8}\nlayers:\n";

bool contains(const std::vector<std::string>& texts, const std::string& part) {
  for (const auto& t : texts) {
    if (t.find(part) != std::string::npos) return true;
  }
  return false;
}

TEST(YamlNetwork, ChainsLayersAndInfersShapes) {
  const Network net = parse(kHeader +
                            "  - {name: c1, type: conv2d, filters: 4, kernel: 3, padding: 1}\n"
                            "  - {name: r1, type: activation, function: relu}\n"
                            "  - {name: c2, type: conv2d, filters: 4, kernel: [3, 1], padding: [1, 0], input: c1}\n"
                            "  - {name: sum, type: add, inputs: [c2, r1]}\n"
                            "  - {name: p, type: avgpool, global: true}\n"
                            "  - {name: fc, type: fc, out_features: 10, weight_format: int4}\n");
  ASSERT_EQ(net.layers.size(), 6u);
  EXPECT_EQ(net.layers[0].inputs, std::vector<std::string>{"input"});
  EXPECT_EQ(net.layers[1].inputs, std::vector<std::string>{"c1"});
  EXPECT_EQ(net.layers[2].inputs, std::vector<std::string>{"c1"});
  EXPECT_EQ(net.layers[3].inputs, (std::vector<std::string>{"c2", "r1"}));
  EXPECT_EQ(net.layers[3].output, (Shape{4, 8, 8}));
  EXPECT_EQ(net.layers[4].output, (Shape{4, 1, 1}));
  EXPECT_EQ(net.layers[5].macs(), 40);
  EXPECT_EQ(net.layers[2].macs(), 64 * 4 * 3 * 4);
  ASSERT_TRUE(net.layers[5].quantization.weight_format.has_value());
  EXPECT_EQ(net.layers[5].quantization.weight_format->to_string(), "int4");
  EXPECT_EQ(net.macs(), 64 * 4 * 27 + 64 * 4 * 12 + 40);
  EXPECT_EQ(net.layers[0].where.to_string(), "net.yaml:4:5");
}

TEST(YamlNetwork, BatchMultipliesActivationsNotWeights) {
  const Network net = parse("name: t\ninput: {channels: 1, height: 4, width: 4}\nbatch: 8\nlayers:\n"
                            "  - {name: fc, type: fc, out_features: 3}\n");
  EXPECT_EQ(net.layers[0].macs(), 8 * 16 * 3);
  EXPECT_EQ(net.layers[0].weight_elements(), 16 * 3);
  EXPECT_EQ(net.layers[0].input_elements(), 8 * 16);
}

TEST(YamlNetwork, ParameterFilesResolveRelativeToTheWorkload) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("qarch_params_" + std::to_string(::getpid()));
  fs::create_directories(dir / "w");
  std::ofstream(dir / "w" / "fc.npy") << "x";
  const std::string yaml = "name: t\ninput: {channels: 1, height: 2, width: 2}\nlayers:\n"
                           "  - {name: fc, type: fc, out_features: 2, weights: w/fc.npy, weight_scale: 0.5}\n";
  std::ofstream(dir / "net.yaml") << yaml;
  const Network net = load_network((dir / "net.yaml").string());
  EXPECT_EQ(net.layers[0].weights_file, (dir / "w" / "fc.npy").string());
  EXPECT_EQ(net.layers[0].bias_file, "");
  EXPECT_DOUBLE_EQ(*net.layers[0].quantization.weight_scale, 0.5);
  std::ofstream(dir / "bad.yaml") << "name: t\ninput: {channels: 1, height: 2, width: 2}\nlayers:\n"
                                     "  - {name: fc, type: fc, out_features: 2, bias: w/none.npy, weight_scale: 0}\n";
  const auto texts = testing::diagnostics_of([&] { load_network((dir / "bad.yaml").string()); });
  ASSERT_EQ(texts.size(), 2u);
  EXPECT_TRUE(contains(texts, "layers[0].bias: no such file"));
  EXPECT_TRUE(contains(texts, "layers[0].weight_scale: out of range"));
  fs::remove_all(dir);
}

TEST(YamlNetwork, UnknownReferenceSuggestsAName) {
  const auto p = problems(kHeader + "  - {name: conv_1, type: conv2d, filters: 4, kernel: 3}\n"
                                    "  - {name: c2, type: conv2d, filters: 4, kernel: 1, input: conv1}\n");
  ASSERT_EQ(p.size(), 1u);
  EXPECT_NE(p[0].find("net.yaml:5:"), std::string::npos);
  EXPECT_NE(p[0].find("'conv1', which is not a layer of this network (did you mean 'conv_1'?)"),
            std::string::npos);
}

TEST(YamlNetwork, ForwardReferenceIsExplained) {
  const auto p = problems(kHeader + "  - {name: a, type: activation, function: relu, input: b}\n"
                                    "  - {name: b, type: activation, function: relu}\n");
  EXPECT_TRUE(contains(p, "which is declared after it"));
}

TEST(YamlNetwork, DuplicateAndReservedNames) {
  const auto p = problems(kHeader + "  - {name: a, type: activation, function: relu}\n"
                                    "  - {name: a, type: activation, function: relu}\n"
                                    "  - {name: input, type: activation, function: relu}\n");
  EXPECT_TRUE(contains(p, "duplicate layer name 'a' (first declared at net.yaml:4:5)"));
  EXPECT_TRUE(contains(p, "'input' is reserved"));
}

TEST(YamlNetwork, ShapeProblemsNameTheLayerAndItsInput) {
  const auto p = problems(kHeader + "  - {name: c, type: conv2d, filters: 4, kernel: 3, groups: 2}\n");
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0], "net.yaml:4:5: layers[0]: layer 'c' (input 3x8x8): groups (2) must divide the input channels (3)");
}

TEST(YamlNetwork, ProblemsDoNotCascade) {
  // c1 is broken; c2 depends on it and must not add a second, confusing error.
  const auto p = problems(kHeader + "  - {name: c1, type: conv2d, filters: 4, kernel: 30}\n"
                                    "  - {name: c2, type: conv2d, filters: 4, kernel: 3}\n");
  EXPECT_EQ(p.size(), 1u);
}

TEST(YamlNetwork, KeysOfOtherLayerTypesAreUnknown) {
  const auto p = problems(kHeader + "  - {name: p, type: maxpool, kernel: 2, filters: 4}\n");
  ASSERT_EQ(p.size(), 1u);
  EXPECT_NE(p[0].find("layers[0].filters: unknown key"), std::string::npos);
}

TEST(YamlNetwork, TypeAndFunctionTyposGetSuggestions) {
  const auto p = problems(kHeader + "  - {name: c, type: conv, filters: 4, kernel: 3}\n"
                                    "  - {name: r, type: activation, function: rellu}\n");
  EXPECT_TRUE(contains(p, "layers[0].type: expected one of conv2d"));
  EXPECT_TRUE(contains(p, "(did you mean 'conv2d'?)"));
  EXPECT_TRUE(contains(p, "(did you mean 'relu'?)"));
}

TEST(YamlNetwork, BadFormatOverrideIsReportedAtItsKey) {
  const auto p = problems(kHeader + "  - {name: f, type: fc, out_features: 2, weight_format: int99}\n");
  ASSERT_EQ(p.size(), 1u);
  EXPECT_NE(p[0].find("layers[0].weight_format"), std::string::npos);
}

TEST(YamlNetwork, MatmulNeedsExactlyOneOfOutFeaturesAndB) {
  const std::string seq = "name: t\ninput: {channels: 8, height: 4, width: 1}\nlayers:\n";
  EXPECT_TRUE(contains(problems(seq + "  - {name: m, type: matmul}\n"), "not neither"));
  EXPECT_TRUE(contains(problems(seq + "  - {name: m, type: matmul, out_features: 4, b: input}\n"),
                       "not both"));
  const Network ok = parse(seq + "  - {name: m, type: matmul, b: input, transpose_b: true, heads: 2}\n");
  EXPECT_EQ(ok.layers[0].inputs, (std::vector<std::string>{"input", "input"}));
  EXPECT_EQ(ok.layers[0].macs(), 2 * 4 * 4 * 4);
  const Network gqa = parse(seq + "  - {name: kv, type: matmul, out_features: 4}\n"
                                  "  - {name: m, type: matmul, input: input, b: kv, transpose_b: true, heads: 4, kv_heads: 2}\n");
  EXPECT_EQ(gqa.layers[1].kv_heads, 2);
  EXPECT_EQ(gqa.layers[1].macs(), 4 * 4 * 2 * 4);  // 4 heads of (4 tokens x 2) . (2 x 4 tokens)
  EXPECT_TRUE(contains(problems(seq + "  - {name: m, type: matmul, b: input, heads: 4, kv_heads: 3}\n"),
                       "layers[0].kv_heads: must divide heads (4)"));
}

// A vision transformer's vocabulary: a feature map is its positions as tokens, an add takes a
// learned constant, norms take a gain and shift, softmax its heads and a causal mask.
TEST(YamlNetwork, TransformerLayersOnAFeatureMap) {
  const std::string dir = ::testing::TempDir() + "/vit_keys";
  std::filesystem::create_directories(dir);
  for (const char* f : {"pos.npy", "g.npy", "b.npy"}) std::ofstream(dir + "/" + f) << "x";
  const Network net = load_yaml_network(config::Document::parse(
      kHeader + "  - {name: patch, type: conv2d, filters: 8, kernel: 2, stride: 2}\n"
                "  - {name: pos, type: add, weights: pos.npy}\n"
                "  - {name: ln, type: activation, function: layernorm, weights: g.npy, bias: b.npy}\n"
                "  - {name: q, type: matmul, out_features: 8}\n"
                "  - {name: s, type: matmul, input: q, b: q, heads: 2, transpose_b: true}\n"
                "  - {name: p, type: activation, function: softmax, heads: 2, causal: true}\n"
                "  - {name: r, type: add, inputs: [q, pos]}\n",
      dir + "/net.yaml"));
  EXPECT_EQ(net.layers[1].inputs, std::vector<std::string>{"patch"});
  EXPECT_EQ(net.layers[1].input_b, (Shape{8, 4, 4}));  // the constant has the input's shape
  EXPECT_EQ(net.layers[1].weights_file, dir + "/pos.npy");
  EXPECT_EQ(net.layers[2].bias_file, dir + "/b.npy");
  EXPECT_EQ(net.layers[3].output, (Shape{8, 16, 1}));  // 4 x 4 positions as 16 tokens
  EXPECT_EQ(net.layers[3].macs(), 16 * 8 * 8);
  EXPECT_EQ(net.layers[4].output, (Shape{2 * 16, 16, 1}));
  EXPECT_EQ(net.layers[5].heads, 2);
  EXPECT_TRUE(net.layers[5].causal);
  EXPECT_EQ(net.layers[6].output, (Shape{8, 16, 1}));  // tokens + the feature map they came from
  EXPECT_TRUE(contains(problems(kHeader + "  - {name: p, type: activation, function: relu, heads: 2}\n"),
                       "layers[0].heads: unknown key"));
  EXPECT_TRUE(contains(problems(kHeader + "  - {name: c, type: conv2d, filters: 4, kernel: 1}\n"
                                          "  - {name: a, type: add, inputs: [c, input]}\n"),
                       "different shapes"));
}

// A language model's vocabulary: an embedding turns token ids into rows, rope rotates heads,
// and the workload names the text functional mode scores it on.
TEST(YamlNetwork, LanguageModelLayersAndTextCorpus) {
  const std::string dir = ::testing::TempDir() + "/lm_keys";
  std::filesystem::create_directories(dir);
  for (const char* f : {"table.npy", "test.txt", "train.txt"}) std::ofstream(dir + "/" + f) << "x";
  const std::string header = "name: lm\ninput: {channels: 1, height: 16, width: 1}\n"
                             "text: {test: test.txt, calibration: train.txt}\nlayers:\n";
  const Network net = load_yaml_network(config::Document::parse(
      header + "  - {name: embed, type: embedding, vocab: 256, dim: 32, weights: table.npy}\n"
               "  - {name: q, type: matmul, out_features: 32}\n"
               "  - {name: rq, type: activation, function: rope, heads: 4, theta: 500000}\n"
               "  - {name: r, type: activation, function: rope, input: q}\n",
      dir + "/net.yaml"));
  ASSERT_TRUE(net.text.has_value());
  EXPECT_EQ(net.text->test_file, dir + "/test.txt");
  EXPECT_EQ(net.text->calibration_file, dir + "/train.txt");
  const Layer& embed = net.layers[0];
  EXPECT_EQ(embed.vocab, 256);
  EXPECT_EQ(embed.output, (Shape{32, 16, 1}));
  EXPECT_EQ(embed.weights_file, dir + "/table.npy");
  EXPECT_EQ(embed.macs(), 0);
  EXPECT_EQ(embed.input_elements(), 16 + 32 * 16);  // the ids and the rows they gather
  EXPECT_EQ(net.layers[2].heads, 4);
  EXPECT_EQ(net.layers[2].rope_theta, 500000);
  EXPECT_EQ(net.layers[3].heads, 1);
  EXPECT_EQ(net.layers[3].rope_theta, 10000);  // RoFormer's
  EXPECT_TRUE(contains(problems(kHeader + "  - {name: e, type: embedding, vocab: 10, dim: 4}\n"),
                       "an embedding reads one token id per position"));
  EXPECT_TRUE(contains(problems("name: lm\ninput: {channels: 1, height: 4, width: 1}\nlayers:\n"
                                "  - {name: e, type: embedding, vocab: 10, dim: 6}\n"
                                "  - {name: r, type: activation, function: rope, heads: 2}\n"),
                       "heads of an even size"));
  EXPECT_TRUE(contains(problems("name: lm\ninput: {channels: 1, height: 4, width: 1}\n"
                                "text: {test: /nonexistent/t.txt}\nlayers:\n"
                                "  - {name: e, type: embedding, vocab: 10, dim: 6}\n"),
                       "text.test: no such file: /nonexistent/t.txt"));
  EXPECT_TRUE(contains(problems("name: lm\ninput: {channels: 1, height: 4, width: 1}\n"
                                "text: {test: /nonexistent/t.txt}\nlayers:\n"
                                "  - {name: e, type: embedding, vocab: 10, dim: 6}\n"),
                       "text.calibration: missing required key"));
}

TEST(YamlNetwork, AbsurdSizesAreRejectedBeforeAnythingIsAllocated) {
  // The limits of the robustness issue: a 10^9 x 10^9 layer, negative strides, bit-widths of
  // 0 or 1000 -- each one clear message, nothing sized from the bad value.
  EXPECT_TRUE(contains(problems("name: t\ninput: {channels: 1, height: 1000000000, width: 1000000000}\n"
                                "layers:\n  - {name: f, type: fc, out_features: 10}\n"),
                       "input.height: out of range: expected an integer from 1 to 1048576"));
  EXPECT_TRUE(contains(problems(kHeader + "  - {name: c, type: conv2d, filters: 4, kernel: 3, stride: -2}\n"),
                       "layers[0].stride: expected an integer or a list of 2 integers from 1 to 4096, got '-2'"));
  EXPECT_TRUE(contains(problems(kHeader + "  - {name: f, type: fc, out_features: 2, weight_format: int0}\n"),
                       "layers[0].weight_format"));
  EXPECT_TRUE(contains(problems(kHeader + "  - {name: f, type: fc, out_features: 2, activation_format: int1000}\n"),
                       "layers[0].activation_format"));
  EXPECT_TRUE(contains(problems("name: t\ninput: {channels: 1048576, height: 1048576, width: 1048576}\n"
                                "layers:\n  - {name: f, type: fc, out_features: 1048576}\n"),
                       "exceeds the limit"));
}

TEST(YamlNetwork, MissingTopLevelKeysAreAllReported) {
  const auto p = problems("layers: []\n");
  EXPECT_TRUE(contains(p, "name: missing required key"));
  EXPECT_TRUE(contains(p, "input: missing required key"));
  EXPECT_TRUE(contains(p, "layers: expected a non-empty list"));
}

TEST(LoadNetwork, DispatchesOnExtensionAndNamesMissingFiles) {
  try {
    load_network("/nonexistent/net.yaml");
    FAIL();
  } catch (const config::InputError& e) {
    EXPECT_EQ(e.diagnostics()[0].to_string(), "/nonexistent/net.yaml: no such file");
  }
  try {
    load_network("/nonexistent/topo.CSV");
    FAIL();
  } catch (const config::InputError& e) {
    EXPECT_EQ(e.diagnostics()[0].to_string(), "/nonexistent/topo.CSV: no such file");
  }
}

}  // namespace
TEST(YamlNetwork, WorkloadSettingsApplyBeforeTheNetworkIsRead) {
  const std::string lenet = std::string(QARCH_SOURCE_DIR) + "/workloads/lenet5.yaml";
  const auto set = [](const std::string& text) {
    config::Override o = config::Override::parse(text);
    o.path.erase(0, std::string("workload.").size());  // as qarch run passes them
    return o;
  };
  const Network plain = load_network(lenet);
  const Network net = load_network(lenet, {set("workload.batch=4"), set("workload.layers.conv2.weight_format=int4"),
                                           set("workload.layers.2.name=p1"), set("workload.per_channel=true")});
  EXPECT_EQ(net.batch, 4);
  EXPECT_EQ(net.macs(), 4 * plain.macs());
  ASSERT_TRUE(net.find("conv2") && net.find("conv2")->quantization.weight_format);
  EXPECT_EQ(net.find("conv2")->quantization.weight_format->to_string(), "int4");
  EXPECT_FALSE(net.find("conv1")->quantization.weight_format);
  EXPECT_TRUE(net.find("p1"));  // by index too
  EXPECT_TRUE(net.per_channel);
  EXPECT_FALSE(plain.per_channel);

  const auto unknown = qarch::testing::diagnostics_of([&] { load_network(lenet, {set("workload.layers.conv9.kernel=3")}); });
  ASSERT_EQ(unknown.size(), 1u);
  EXPECT_EQ(unknown[0], "--set workload.layers.conv9.kernel=3: workload.layers.conv9.kernel: no layer named 'conv9' in " +
                            lenet + " (did you mean 'conv1'?)");
  const auto bad = qarch::testing::diagnostics_of([&] { load_network(lenet, {set("workload.batch=0")}); });
  ASSERT_EQ(bad.size(), 1u);
  EXPECT_EQ(bad[0].rfind("--set workload.batch=0: batch: out of range", 0), 0u) << bad[0];
  const auto topology = qarch::testing::diagnostics_of([&] {
    load_network(std::string(QARCH_SOURCE_DIR) + "/tests/data/scalesim-v2-resnet50/Resnet50.csv", {set("workload.batch=2")});
  });
  ASSERT_EQ(topology.size(), 1u);
  EXPECT_NE(topology[0].find("need a qarch YAML network"), std::string::npos) << topology[0];
}

}  // namespace qarch::workload
