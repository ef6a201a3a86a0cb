// Functional mode against PyTorch (tests/data/func/<model>_golden.json, written by
// scripts/fakequant_reference.py from the committed weights):
// - int8 with int32 accumulators: every accumulator of every compute layer bit for bit on the
//   first test images, and the predictions on the first 1000, with the scales fixed to the
//   reference's; and the calibrated scales close to the reference's;
// - fp32: the same predictions as PyTorch's float32 network.

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "func/functional_run.hpp"
#include "func_test_support.hpp"

namespace qarch::func {
namespace {

using nlohmann::json;

json golden(const std::string& model) {
  std::ifstream in(testing::func_data(model + "_golden.json"));
  EXPECT_TRUE(in.good()) << model;
  return json::parse(in);
}

class Golden : public ::testing::TestWithParam<std::string> {};

TEST_P(Golden, Int8AccumulatorsAndPredictionsMatchPyTorchBitForBit) {
  const json g = golden(GetParam());
  const json& q = g["int8"];
  workload::Network net = workload::load_network(testing::fashion_workload(GetParam()));
  for (workload::Layer& l : net.layers) {
    if (!l.has_weights()) continue;
    l.quantization.weight_scale = q["weight_scales"][l.name].get<double>();
    l.quantization.activation_scale = q["activation_scales"][l.name].get<double>();
  }
  FunctionalOptions o;
  o.limit = q["images"].get<std::int64_t>();
  o.trace_images = q["trace_images"].get<std::int64_t>();
  const FunctionalResult r = run_functional(testing::func_arch("int8", "int8", "int32"), net, o);
  ASSERT_EQ(static_cast<std::int64_t>(r.traces.size()), o.trace_images);
  for (std::size_t i = 0; i < net.layers.size(); ++i) {
    const workload::Layer& l = net.layers[i];
    if (!l.has_weights()) continue;
    for (std::int64_t n = 0; n < o.trace_images; ++n) {
      const std::vector<std::int64_t> want = q["accumulators"][l.name][n].get<std::vector<std::int64_t>>();
      const std::vector<double>& got = r.traces[static_cast<std::size_t>(n)].accumulators[i];
      ASSERT_EQ(got.size(), want.size()) << l.name;
      std::size_t mismatches = 0;
      for (std::size_t j = 0; j < want.size(); ++j) {
        if (got[j] != static_cast<double>(want[j]) && mismatches++ < 3) {
          ADD_FAILURE() << l.name << " image " << n << " element " << j << ": " << got[j]
                        << " != " << want[j];
        }
      }
      EXPECT_EQ(mismatches, 0u) << l.name << " image " << n;
    }
    EXPECT_EQ(r.layers[i].overflowed_accumulations, 0) << l.name;
  }
  EXPECT_EQ(r.predictions, q["predictions"].get<std::vector<std::int32_t>>());
  EXPECT_DOUBLE_EQ(r.top1, q["top1"].get<double>());
}

TEST_P(Golden, Int8AccumulatorsAreTheSameInEveryDataflow) {
  // int32 never overflows here, so the order cannot matter: ws, os, is and rs agree exactly.
  const workload::Network net = workload::load_network(testing::fashion_workload(GetParam()));
  FunctionalOptions o;
  o.limit = 3;
  o.trace_images = 3;
  o.calibration_images = 50;
  std::vector<FunctionalResult> results;
  for (const arch::Dataflow d : {arch::Dataflow::WeightStationary, arch::Dataflow::OutputStationary,
                                 arch::Dataflow::InputStationary, arch::Dataflow::RowStationary}) {
    results.push_back(run_functional(testing::func_arch("int8", "int8", "int32", "exact", d, 4, 4), net, o));
  }
  for (std::size_t k = 1; k < results.size(); ++k) {
    for (std::size_t n = 0; n < 3; ++n) {
      EXPECT_EQ(results[k].traces[n].accumulators, results[0].traces[n].accumulators) << k;
    }
  }
}

TEST_P(Golden, CalibratedScalesMatchThePyTorchReference) {
  const json g = golden(GetParam());
  const workload::Network net = workload::load_network(testing::fashion_workload(GetParam()));
  FunctionalOptions o;
  o.limit = 1;
  const FunctionalResult r = run_functional(testing::func_arch("int8", "int8", "int32"), net, o);
  for (std::size_t i = 0; i < net.layers.size(); ++i) {
    if (!net.layers[i].has_weights()) continue;
    const std::string& name = net.layers[i].name;
    // Weight scales are computed the same way from the same floats: exactly equal.
    EXPECT_EQ(r.layers[i].weight_scale, g["int8"]["weight_scales"][name].get<double>()) << name;
    // Activation maxima come from float32 forward passes summed in different orders.
    const double want = g["int8"]["activation_scales"][name].get<double>();
    EXPECT_NEAR(r.layers[i].activation_scale, want, want * 1e-5) << name;
  }
}

TEST_P(Golden, Float32RunGivesPyTorchsPredictions) {
  const json g = golden(GetParam());
  const workload::Network net = workload::load_network(testing::fashion_workload(GetParam()));
  FunctionalOptions o;
  // The whole test split for the MLP; 4000 images for LeNet-5 to keep the suite fast (the
  // table in docs/functional.md runs all 10000 through qarch).
  o.limit = GetParam() == "mlp" ? 10000 : 4000;
  const FunctionalResult r = run_functional(testing::func_arch("fp32", "fp32", "fp32"), net, o);
  const std::vector<std::int32_t> all = g["fp32"]["predictions"].get<std::vector<std::int32_t>>();
  const std::vector<std::int32_t> want(all.begin(), all.begin() + o.limit);
  EXPECT_EQ(r.predictions, want);
  EXPECT_EQ(r.reference_top1, r.top1);
  for (const LayerValueStats& s : r.layers) {
    EXPECT_GT(s.sqnr_db, 100) << s.name;  // float32 vs float32 in another order
    EXPECT_EQ(s.saturated_values, 0) << s.name;
  }
}

INSTANTIATE_TEST_SUITE_P(Models, Golden, ::testing::Values("lenet5", "mlp"));

}  // namespace
}  // namespace qarch::func

namespace qarch::func {
namespace {

// tests/data/func/onnx_lenet5 is LeNet-5 exported by torch.onnx.export (dynamic batch,
// x.view(x.size(0), -1)) and imported by scripts/onnx_import.py (the export is in
// tests/unit/func/test_onnx_import.py). Through qarch it must give PyTorch's predictions.
TEST(OnnxImported, LeNet5GivesPyTorchsFloat32Predictions) {
  const json g = golden("lenet5");
  const workload::Network net =
      workload::load_network(testing::func_data("onnx_lenet5/lenet5_onnx.yaml"));
  FunctionalOptions o;
  o.limit = 500;
  const FunctionalResult r = run_functional(testing::func_arch("fp32", "fp32", "fp32"), net, o);
  const std::vector<std::int32_t> all = g["fp32"]["predictions"].get<std::vector<std::int32_t>>();
  EXPECT_EQ(r.predictions, std::vector<std::int32_t>(all.begin(), all.begin() + o.limit));
}

}  // namespace
}  // namespace qarch::func
