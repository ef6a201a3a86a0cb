// The ResNet and the MobileNet of workloads/fashion/ (scripts/train_fashion_cnn.py, BatchNorm
// folded) in functional mode: in float32 they must make PyTorch's predictions
// (tests/data/func/<model>_golden.json, written by the training script from the same weights);
// in int8 they must stay near their float32 reference.

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "func/functional_run.hpp"
#include "func_test_support.hpp"

namespace qarch::func {
namespace {

class Cnn : public ::testing::TestWithParam<std::string> {};

TEST_P(Cnn, Float32RunGivesPyTorchsPredictions) {
  std::ifstream in(testing::func_data(GetParam() + "_golden.json"));
  ASSERT_TRUE(in.good());
  const nlohmann::json g = nlohmann::json::parse(in);
  const workload::Network net = workload::load_network(testing::fashion_workload(GetParam()));
  FunctionalOptions o;
  o.limit = 200;  // docs/functional.md runs all 10,000 through qarch
  o.calibration_images = 10;
  const FunctionalResult r = run_functional(testing::func_arch("fp32", "fp32", "fp32"), net, o);
  const std::vector<std::int32_t> all = g["fp32"]["predictions"].get<std::vector<std::int32_t>>();
  EXPECT_EQ(r.predictions, std::vector<std::int32_t>(all.begin(), all.begin() + o.limit));
  EXPECT_EQ(r.reference_top1, r.top1);
  for (const LayerValueStats& s : r.layers) EXPECT_GT(s.sqnr_db, 90) << s.name;  // float32 in other orders
}

// int8 operands into int32 (per-tensor scales) stay within three points of float32 top-1.
TEST_P(Cnn, Int8StaysNearFloat32) {
  const workload::Network net = workload::load_network(testing::fashion_workload(GetParam()));
  FunctionalOptions o;
  o.limit = 200;
  o.calibration_images = 200;
  const FunctionalResult r = run_functional(testing::func_arch("int8", "int8", "int32"), net, o);
  EXPECT_GE(r.top1, r.reference_top1 - 0.03);
  for (const LayerValueStats& s : r.layers) EXPECT_GT(s.sqnr_db, 10) << s.name;
}

INSTANTIATE_TEST_SUITE_P(FashionCnns, Cnn, ::testing::Values("resnet", "mobilenet"));

}  // namespace
}  // namespace qarch::func
