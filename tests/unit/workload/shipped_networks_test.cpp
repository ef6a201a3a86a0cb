// Every shipped network against an independent count: PyTorch forward hooks on torchvision's
// modules (tests/data/workload_reference.json, written by scripts/export_workloads.py).

#include <gtest/gtest.h>

#include "support/print_shape.hpp"

#include <fstream>
#include <nlohmann/json.hpp>

#include "workload/network.hpp"

namespace qarch::workload {
namespace {

nlohmann::json reference() {
  std::ifstream in(std::string(QARCH_SOURCE_DIR) + "/tests/data/workload_reference.json");
  return nlohmann::json::parse(in);
}

class ShippedNetwork : public ::testing::TestWithParam<std::string> {};

TEST_P(ShippedNetwork, MatchesTheIndependentCountLayerByLayer) {
  const auto expected = reference().at("networks").at(GetParam());
  const Network net =
      load_network(std::string(QARCH_SOURCE_DIR) + "/" + expected.at("file").get<std::string>());
  const auto& layers = expected.at("layers");
  ASSERT_EQ(net.layers.size(), layers.size());
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const Layer& l = net.layers[i];
    SCOPED_TRACE(l.name);
    EXPECT_EQ(l.name, layers[i].at("name").get<std::string>());
    EXPECT_EQ(std::string(to_string(l.type)), layers[i].at("type").get<std::string>());
    const auto shape = layers[i].at("output_shape").get<std::vector<std::int64_t>>();
    EXPECT_EQ(l.output, (Shape{shape.at(0), shape.at(1), shape.at(2)}));
    EXPECT_EQ(l.macs(), layers[i].at("macs").get<std::int64_t>());
  }
  EXPECT_EQ(net.macs(), expected.at("total_macs").get<std::int64_t>());
}

INSTANTIATE_TEST_SUITE_P(Workloads, ShippedNetwork,
                         ::testing::Values("lenet5", "mlp", "alexnet", "vgg16", "resnet50",
                                           "mobilenetv2", "bert_base_block"));

TEST(ShippedNetworks, PublishedTotals) {
  // Published MAC counts: torchvision's model cards (GFLOPS there count MACs).
  const auto load = [](const char* f) { return load_network(std::string(QARCH_SOURCE_DIR) + "/workloads/" + f); };
  EXPECT_NEAR(static_cast<double>(load("resnet50.yaml").macs()), 4.09e9, 0.01e9);
  EXPECT_NEAR(static_cast<double>(load("vgg16.yaml").macs()), 15.47e9, 0.01e9);
  EXPECT_NEAR(static_cast<double>(load("mobilenetv2.yaml").macs()), 0.30e9, 0.01e9);
  EXPECT_NEAR(static_cast<double>(load("alexnet.yaml").macs()), 0.71e9, 0.01e9);
}

}  // namespace
}  // namespace qarch::workload
