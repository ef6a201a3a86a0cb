// run_functional's user errors, zero-operand counts against a brute-force count, zero gating,
// and determinism.

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <fstream>

#include "func/functional_run.hpp"
#include "func_test_support.hpp"
#include "support/diagnostics.hpp"
#include "workload/idx_reader.hpp"
#include "workload/npy_reader.hpp"

namespace qarch::func {
namespace {

std::string joined(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += x + "\n";
  return s;
}

std::string temp_dir(const std::string& name) {
  const std::string dir = std::string(QARCH_BINARY_DIR) + "/func_test_" + name;
  EXPECT_EQ(std::system(("mkdir -p " + dir).c_str()), 0);
  return dir;
}

TEST(FunctionalRunErrors, ShapeOnlyWorkloadNamesTheMissingWeightsAndTheirShape) {
  const workload::Network net = workload::load_network(std::string(QARCH_SOURCE_DIR) + "/workloads/lenet5.yaml");
  const std::string d = joined(testing::diagnostics_of(
      [&] { run_functional(testing::func_arch("int8", "int8", "int32"), net, FunctionalOptions{}); }));
  EXPECT_NE(d.find("layers.conv1.weights: functional mode needs trained weights"), std::string::npos) << d;
  EXPECT_NE(d.find("(6, 1, 5, 5)"), std::string::npos) << d;
  EXPECT_NE(d.find("(10, 84)"), std::string::npos) << d;  // every layer is reported
}

TEST(FunctionalRunErrors, WrongWeightShapeNamesTheFileAndTheExpectedShape) {
  const std::string dir = temp_dir("wrong_shape");
  workload::write_npy(dir + "/w.npy", workload::NpyArray{{10, 783}, std::vector<float>(7830, 0.5f)});
  workload::write_npy(dir + "/b.npy", workload::NpyArray{{10}, std::vector<float>(10, 0.0f)});
  std::ofstream(dir + "/net.yaml") << "name: t\ninput: {channels: 1, height: 28, width: 28}\nlayers:\n"
                                      "  - {name: fc, type: fc, out_features: 10, weights: w.npy, bias: b.npy}\n";
  const workload::Network net = workload::load_network(dir + "/net.yaml");
  const std::string d = joined(testing::diagnostics_of(
      [&] { run_functional(testing::func_arch("int8", "int8", "int32"), net, FunctionalOptions{}); }));
  EXPECT_NE(d.find("w.npy"), std::string::npos) << d;
  EXPECT_NE(d.find("layer fc expects an array of shape (10, 784), the file holds (10, 783)"), std::string::npos) << d;
  // At the workload line that names the file (issue 23: the message named no workload line).
  EXPECT_EQ(d.rfind(dir + "/net.yaml:4:5: layers.fc.weights: " + dir + "/w.npy: ", 0), 0u) << d;
  // An unreadable file too.
  std::ofstream(dir + "/b.npy") << "not an npy file";
  const workload::Network net2 = workload::load_network(dir + "/net.yaml");
  const std::string e = joined(testing::diagnostics_of(
      [&] { run_functional(testing::func_arch("int8", "int8", "int32"), net2, FunctionalOptions{}); }));
  EXPECT_NE(e.find(dir + "/net.yaml:4:5: layers.fc.bias: " + dir + "/b.npy"), std::string::npos) << e;
}

TEST(FunctionalRunErrors, InputShapeClassesDatasetLimitAndMemory) {
  const std::string dir = temp_dir("bad_input");
  std::ofstream(dir + "/net.yaml") << "name: t\ninput: {channels: 3, height: 32, width: 32}\nlayers:\n"
                                      "  - {name: fc, type: fc, out_features: 7}\n";
  const workload::Network bad = workload::load_network(dir + "/net.yaml");
  const std::string d = joined(testing::diagnostics_of(
      [&] { run_functional(testing::func_arch("int8", "int8", "int32"), bad, FunctionalOptions{}); }));
  EXPECT_NE(d.find("feeds 1x28x28 Fashion-MNIST images; the network input is 3x32x32"), std::string::npos) << d;
  EXPECT_NE(d.find("one output per class (10); it has 7"), std::string::npos) << d;

  const workload::Network net = workload::load_network(testing::fashion_workload("mlp"));
  const arch::ArchSpec a = testing::func_arch("int8", "int8", "int32");
  FunctionalOptions o;
  o.dataset_dir = "/nonexistent/fashion";
  EXPECT_NE(joined(testing::diagnostics_of([&] { run_functional(a, net, o); })).find("dataset directory not found"),
            std::string::npos);
  o = FunctionalOptions{};
  o.limit = 0;
  EXPECT_NE(joined(testing::diagnostics_of([&] { run_functional(a, net, o); })).find("--limit must be at least 1"),
            std::string::npos);
  o = FunctionalOptions{};
  o.max_memory_bytes = 100000;
  EXPECT_NE(joined(testing::diagnostics_of([&] { run_functional(a, net, o); })).find("functional mode would need about"),
            std::string::npos);
}

TEST(FunctionalRunErrors, FormatsTheStyleCannotTakeNameTheLayer) {
  const workload::Network net = workload::load_network(testing::fashion_workload("mlp"));
  const std::string d = joined(testing::diagnostics_of(
      [&] { run_functional(testing::func_arch("int8", "int8", "int32", "shift_add"), net, FunctionalOptions{}); }));
  EXPECT_NE(d.find("layers.fc1: shift_add needs power-of-two weights"), std::string::npos) << d;
}

// conv1 of LeNet-5 on int8: every MAC whose activation is zero, counted by brute force from the
// image's pixels (x = p / 255 with scale 1/127 rounds to 0 for p <= 1) and the padding.
TEST(FunctionalRun, ZeroOperandCountsMatchABruteForceCount) {
  const workload::Network net = workload::load_network(testing::fashion_workload("lenet5"));
  arch::ArchSpec a = testing::func_arch("int8", "int8", "int32");
  FunctionalOptions o;
  o.limit = 2;
  const FunctionalResult r = run_functional(a, net, o);
  ASSERT_DOUBLE_EQ(r.layers[0].activation_scale, 1.0 / 127);
  const workload::LabeledImages test = workload::read_mnist_split(testing::kFashionDir, "t10k", 2);
  std::int64_t zero_a = 0;
  for (std::int64_t n = 0; n < 2; ++n) {
    for (int e = 0; e < 28; ++e) {
      for (int f = 0; f < 28; ++f) {
        for (int kr = 0; kr < 5; ++kr) {
          for (int ks = 0; ks < 5; ++ks) {
            const int y = e - 2 + kr, x = f - 2 + ks;
            const bool pad = y < 0 || y >= 28 || x < 0 || x >= 28;
            if (pad || test.image(n)[y * 28 + x] <= 1) zero_a += 6;  // 6 filters
          }
        }
      }
    }
  }
  EXPECT_EQ(r.layers[0].zero_activation_operands, zero_a);
  EXPECT_EQ(r.layers[0].macs, 2 * 117600);
  const workload::NpyArray w = workload::read_npy(std::string(QARCH_SOURCE_DIR) + "/workloads/fashion/weights/lenet5_conv1_weight.npy");
  double max_w = 0;
  for (const float v : w.data) max_w = std::max(max_w, std::fabs(static_cast<double>(v)));
  std::int64_t zero_w = 0;
  for (const float v : w.data) zero_w += std::nearbyint(static_cast<double>(v) / (max_w / 127)) == 0 ? 1 : 0;
  EXPECT_EQ(r.layers[0].zero_weight_operands, zero_w * 28 * 28 * 2);
  const LayerValueStats& fc1 = r.layers[6];
  EXPECT_GT(fc1.zero_operand_macs, 0);
  EXPECT_GE(fc1.zero_operand_macs, std::max(fc1.zero_weight_operands, fc1.zero_activation_operands));
  EXPECT_LE(fc1.zero_operand_macs, fc1.zero_weight_operands + fc1.zero_activation_operands);
  EXPECT_EQ(fc1.zero_gated_macs, 0);  // this PE does not gate

  a.pe_array.zero_gating = true;
  const FunctionalResult g = run_functional(a, net, o);
  for (std::size_t i = 0; i < g.layers.size(); ++i) {
    EXPECT_EQ(g.layers[i].zero_gated_macs, g.layers[i].zero_operand_macs) << g.layers[i].name;
  }
}

TEST(FunctionalRun, NarrowAccumulatorsOverflowAndAreCounted) {
  const workload::Network net = workload::load_network(testing::fashion_workload("lenet5"));
  FunctionalOptions o;
  o.limit = 20;
  const FunctionalResult wide = run_functional(testing::func_arch("int8", "int8", "int32"), net, o);
  const FunctionalResult narrow = run_functional(testing::func_arch("int8", "int8", "int12"), net, o);
  std::int64_t overflows = 0;
  for (const LayerValueStats& s : narrow.layers) overflows += s.overflowed_accumulations;
  EXPECT_GT(overflows, 0);
  EXPECT_LT(narrow.layers.back().sqnr_db, wide.layers.back().sqnr_db);
  EXPECT_EQ(narrow.layers[0].accumulation_order, "row_folds(32)");
  EXPECT_EQ(wide.layers[0].accumulation_order, "exact");
}

TEST(FunctionalRun, IsDeterministic) {
  const workload::Network net = workload::load_network(testing::fashion_workload("lenet5"));
  FunctionalOptions o;
  o.limit = 30;
  const arch::ArchSpec a = testing::func_arch("bf16", "bf16", "fp32", "exact", arch::Dataflow::RowStationary, 8, 8);
  const FunctionalResult x = run_functional(a, net, o);
  const FunctionalResult y = run_functional(a, net, o);
  EXPECT_EQ(x.predictions, y.predictions);
  for (std::size_t i = 0; i < x.layers.size(); ++i) {
    EXPECT_EQ(x.layers[i].sqnr_db, y.layers[i].sqnr_db);
    EXPECT_EQ(x.layers[i].zero_operand_macs, y.layers[i].zero_operand_macs);
  }
  EXPECT_GT(x.top1, 0.7);
}

void expect_identical(const FunctionalResult& x, const FunctionalResult& y, const std::string& what) {
  EXPECT_EQ(x.predictions, y.predictions) << what;
  EXPECT_EQ(x.correct, y.correct) << what;
  EXPECT_EQ(x.reference_top1, y.reference_top1) << what;
  EXPECT_EQ(x.perplexity, y.perplexity) << what;
  EXPECT_EQ(x.reference_perplexity, y.reference_perplexity) << what;
  ASSERT_EQ(x.layers.size(), y.layers.size());
  for (std::size_t i = 0; i < x.layers.size(); ++i) {
    const LayerValueStats &a = x.layers[i], &b = y.layers[i];
    const std::string at = what + " " + a.name;
    if (std::isnan(a.sqnr_db)) {
      EXPECT_TRUE(std::isnan(b.sqnr_db)) << at;
    } else {
      EXPECT_EQ(a.sqnr_db, b.sqnr_db) << at;  // bit for bit: sums reduced in sample order
    }
    EXPECT_EQ(a.zero_weight_operands, b.zero_weight_operands) << at;
    EXPECT_EQ(a.zero_activation_operands, b.zero_activation_operands) << at;
    EXPECT_EQ(a.zero_operand_macs, b.zero_operand_macs) << at;
    EXPECT_EQ(a.saturated_values, b.saturated_values) << at;
    EXPECT_EQ(a.overflowed_accumulations, b.overflowed_accumulations) << at;
    EXPECT_EQ(a.activation_scale, b.activation_scale) << at;
    EXPECT_EQ(a.weight_scale, b.weight_scale) << at;
  }
  ASSERT_EQ(x.traces.size(), y.traces.size());
  for (std::size_t n = 0; n < x.traces.size(); ++n) {
    EXPECT_EQ(x.traces[n].outputs, y.traces[n].outputs) << what << " trace " << n;
    EXPECT_EQ(x.traces[n].accumulators, y.traces[n].accumulators) << what << " trace " << n;
  }
}

// Samples run on several threads; nothing in the result may depend on how many: an int16
// accumulator that overflows, attention's per-sample second operand (ViT), a language model.
TEST(FunctionalRun, EveryThreadCountGivesTheSameResult) {
  struct Case {
    const char* workload;
    arch::ArchSpec arch;
    std::int64_t limit;
  };
  const std::vector<Case> cases = {
      {"lenet5", testing::func_arch("int8", "int8", "int16"), 41},
      {"vit", testing::func_arch("int8", "int8", "int32"), 7},
      {"tinylm", testing::func_arch("bf16", "bf16", "fp32"), 3},
  };
  for (const Case& c : cases) {
    const std::string file = std::string(c.workload) == "tinylm"
                                 ? std::string(QARCH_SOURCE_DIR) + "/workloads/text/tinylm.yaml"
                                 : testing::fashion_workload(c.workload);
    const workload::Network net = workload::load_network(file);
    FunctionalOptions o;
    o.limit = c.limit;
    o.calibration_images = 11;
    o.trace_images = 3;
    o.threads = 1;
    const FunctionalResult one = run_functional(c.arch, net, o);
    for (const int threads : {2, 5}) {
      o.threads = threads;
      expect_identical(one, run_functional(c.arch, net, o), std::string(c.workload) + " threads " + std::to_string(threads));
    }
    if (std::string(c.workload) == "lenet5") {
      std::int64_t overflows = 0;
      for (const LayerValueStats& s : one.layers) overflows += s.overflowed_accumulations;
      EXPECT_GT(overflows, 0);  // the case it is meant to be
    }
  }
}

// The float32 reference on the first N samples only: the quantized results are the full run's,
// the reference's (SQNR, reference top-1 and perplexity) those of a run of N samples.
TEST(FunctionalRun, ReferenceOnTheFirstSamplesOnly) {
  struct Case {
    std::string workload;
    arch::ArchSpec arch;
  };
  const std::vector<Case> cases = {
      {testing::fashion_workload("lenet5"), testing::func_arch("int8", "int8", "int32")},
      {std::string(QARCH_SOURCE_DIR) + "/workloads/text/tinylm.yaml", testing::func_arch("bf16", "bf16", "fp32")},
  };
  for (const Case& c : cases) {
    const workload::Network net = workload::load_network(c.workload);
    FunctionalOptions o;
    o.calibration_images = 11;
    o.threads = 2;
    o.limit = 9;
    const FunctionalResult first = run_functional(c.arch, net, o);
    o.limit = 40;
    const FunctionalResult all = run_functional(c.arch, net, o);
    o.reference_images = 9;
    const FunctionalResult sampled = run_functional(c.arch, net, o);
    EXPECT_EQ(all.reference_images, 40);
    EXPECT_EQ(sampled.reference_images, 9);
    EXPECT_EQ(sampled.predictions, all.predictions) << c.workload;
    EXPECT_EQ(sampled.top1, all.top1);
    EXPECT_EQ(sampled.perplexity, all.perplexity);
    EXPECT_EQ(sampled.reference_top1, first.reference_top1) << c.workload;
    EXPECT_EQ(sampled.reference_perplexity, first.reference_perplexity);
    ASSERT_EQ(sampled.layers.size(), first.layers.size());
    for (std::size_t i = 0; i < first.layers.size(); ++i) {
      const double a = sampled.layers[i].sqnr_db, b = first.layers[i].sqnr_db;
      EXPECT_TRUE(a == b || (std::isnan(a) && std::isnan(b))) << first.layers[i].name;
      EXPECT_EQ(sampled.layers[i].saturated_activations, all.layers[i].saturated_activations);
    }
    o.reference_images = 0;
    const FunctionalResult none = run_functional(c.arch, net, o);
    EXPECT_EQ(none.reference_images, 0);
    EXPECT_EQ(none.predictions, all.predictions);
    for (const LayerValueStats& l : none.layers) EXPECT_TRUE(std::isnan(l.sqnr_db)) << l.name;
    o.reference_images = -2;
    EXPECT_THROW(run_functional(c.arch, net, o), config::InputError);
  }
}

// Progress reports count up to every sample, the last call with all of them.
TEST(FunctionalRun, ReportsProgress) {
  const workload::Network net = workload::load_network(testing::fashion_workload("mlp"));
  FunctionalOptions o;
  o.limit = 300;
  o.threads = 2;
  std::vector<std::pair<std::int64_t, std::int64_t>> calls;
  o.progress = [&](std::int64_t done, std::int64_t total) { calls.emplace_back(done, total); };
  run_functional(testing::func_arch("int8", "int8", "int32"), net, o);
  ASSERT_FALSE(calls.empty());
  EXPECT_EQ(calls.back(), (std::pair<std::int64_t, std::int64_t>{300, 300}));
  for (std::size_t i = 1; i < calls.size(); ++i) EXPECT_GE(calls[i].first, calls[i - 1].first);
}

}  // namespace
}  // namespace qarch::func

namespace qarch::func {
namespace {

// Per-layer formats: on an int8 array, fc1 runs NVFP4 x NVFP4 and fc2 MXFP8 weights x int8
// activations on the block dot-product unit; fc3 stays int8. Block-scaled operands have no PTQ
// scale; the int8 activations of fc2 keep their calibrated one.
TEST(FunctionalRun, BlockFormatsPerLayer) {
  workload::Network net = workload::load_network(testing::fashion_workload("mlp"));
  const auto block = numerics::MultiplierStyle::parse("block_dot");
  auto& fc1 = net.layers[0].quantization;
  fc1.weight_format = fc1.activation_format = numerics::Format::parse("nvfp4");
  fc1.accumulator_format = numerics::Format::parse("fp32");
  fc1.multiplier = block;
  auto& fc2 = net.layers[2].quantization;
  fc2.weight_format = numerics::Format::parse("mxfp8_e4m3");
  fc2.accumulator_format = numerics::Format::parse("fp32");
  fc2.multiplier = block;
  FunctionalOptions o;
  o.limit = 200;
  const FunctionalResult r = run_functional(testing::func_arch("int8", "int8", "int32"), net, o);
  EXPECT_GE(r.top1, r.reference_top1 - 0.03);
  const LayerValueStats& s1 = r.layers[0];
  EXPECT_EQ(s1.weight_format, "nvfp4");
  EXPECT_EQ(s1.multiplier, "block_dot");
  EXPECT_EQ(s1.weight_scale, 1.0);
  EXPECT_EQ(s1.activation_scale, 1.0);
  EXPECT_EQ(s1.accumulation_order, "row_folds(32)");
  EXPECT_GT(s1.zero_activation_operands, 0);  // the background pixels
  EXPECT_GT(s1.sqnr_db, 15.0);
  const LayerValueStats& s2 = r.layers[2];
  EXPECT_EQ(s2.weight_format, "mxfp8_e4m3");
  EXPECT_EQ(s2.activation_format, "int8");
  EXPECT_EQ(s2.weight_scale, 1.0);
  EXPECT_GT(s2.activation_scale, 0.0);
  EXPECT_NE(s2.activation_scale, 1.0);
  EXPECT_GT(s2.saturated_weights, 0);  // MX floor scales clip a block's largest values
  EXPECT_GT(s2.sqnr_db, 20.0);
  EXPECT_EQ(r.layers[4].multiplier, "exact");
  EXPECT_EQ(r.layers[4].accumulator_format, "int32");
}

}  // namespace
}  // namespace qarch::func
