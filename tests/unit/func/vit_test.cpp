// The vision transformer of workloads/fashion/vit.yaml (scripts/train_vit.py) in functional
// mode: in float32 it must make PyTorch's predictions (tests/data/func/vit_golden.json, written
// by the training script from the same weights); quantized, it must stay near its reference.

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "func/functional_run.hpp"
#include "func_test_support.hpp"

namespace qarch::func {
namespace {

TEST(Vit, Float32RunGivesPyTorchsPredictions) {
  std::ifstream in(testing::func_data("vit_golden.json"));
  ASSERT_TRUE(in.good());
  const nlohmann::json g = nlohmann::json::parse(in);
  const workload::Network net = workload::load_network(testing::fashion_workload("vit"));
  FunctionalOptions o;
  o.limit = 1000;  // docs/functional.md runs all 10,000 through qarch
  const FunctionalResult r = run_functional(testing::func_arch("fp32", "fp32", "fp32"), net, o);
  const std::vector<std::int32_t> all = g["fp32"]["predictions"].get<std::vector<std::int32_t>>();
  EXPECT_EQ(r.predictions, std::vector<std::int32_t>(all.begin(), all.begin() + o.limit));
  EXPECT_EQ(r.reference_top1, r.top1);
  for (const LayerValueStats& s : r.layers) EXPECT_GT(s.sqnr_db, 90) << s.name;  // float32 in other orders
}

// int8 products (attention's too) with float32 special functions stay within two points of
// float32 top-1.
TEST(Vit, Int8StaysNearFloat32) {
  const workload::Network net = workload::load_network(testing::fashion_workload("vit"));
  FunctionalOptions o;
  o.limit = 300;
  o.calibration_images = 200;
  const FunctionalResult r = run_functional(testing::func_arch("int8", "int8", "int32"), net, o);
  EXPECT_GE(r.top1, r.reference_top1 - 0.02);
  for (const LayerValueStats& s : r.layers) EXPECT_GT(s.sqnr_db, 10) << s.name;
}

// A bf16 special-function unit on a float32 array: softmax and the norms lose precision to bf16's
// 8 significant bits (SQNR near 6 dB per bit, far below float32's), the products do not.
TEST(Vit, Bf16VectorUnitRoundsTheSpecialFunctions) {
  const workload::Network net = workload::load_network(testing::fashion_workload("vit"));
  FunctionalOptions o;
  o.limit = 100;
  arch::ArchSpec a = testing::func_arch("fp32", "fp32", "fp32");
  a.pe_array.special_function_format = numerics::Format::parse("bf16");
  const FunctionalResult r = run_functional(a, net, o);
  EXPECT_GE(r.top1, r.reference_top1 - 0.03);
  const LayerValueStats& first_norm = r.layers[2];  // b0.ln1: its input is still exact
  ASSERT_EQ(first_norm.name, "b0.ln1");
  EXPECT_GT(first_norm.sqnr_db, 35);
  EXPECT_LT(first_norm.sqnr_db, 70);
  for (std::size_t i = 0; i < net.layers.size(); ++i) {
    if (net.layers[i].function == "softmax") {
      EXPECT_LT(r.layers[i].sqnr_db, 80) << net.layers[i].name;
    }
  }
}

}  // namespace
}  // namespace qarch::func
