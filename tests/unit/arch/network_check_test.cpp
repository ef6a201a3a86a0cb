#include "arch/network_check.hpp"

#include <gtest/gtest.h>

#include "arch/layer_formats.hpp"
#include "arch_test_support.hpp"
#include "config/document.hpp"
#include "workload/yaml_network_loader.hpp"

namespace qarch::arch {
namespace {

workload::Network network(const std::string& layers) {
  return workload::load_yaml_network(config::Document::parse(
      "name: n\ninput: {channels: 1, height: 4, width: 4}\nlayers:\n" + layers, "n.yaml"));
}

TEST(LayerFormats, LayerOverridesWinOverThePeDefaults) {
  const ArchSpec a = load_arch(testing::write_temp(testing::kValidArch));
  const auto net = network("  - {name: a, type: fc, out_features: 2}\n"
                           "  - {name: b, type: fc, out_features: 2, weight_format: int4, accumulator_format: int16}\n");
  const LayerFormats fa = resolve_formats(a, net.layers[0]);
  const LayerFormats fb = resolve_formats(a, net.layers[1]);
  EXPECT_EQ(fa.weight.to_string(), "int8");
  EXPECT_EQ(fb.weight.to_string(), "int4");
  EXPECT_EQ(fb.activation.to_string(), "int8");
  EXPECT_EQ(fb.accumulator.to_string(), "int16");
}

TEST(NetworkCheck, RejectsALayerWhoseFormatsTheMultiplierCannotTake) {
  const ArchSpec a = load_arch(testing::write_temp(testing::kValidArch));
  EXPECT_NO_THROW(check_network(a, network("  - {name: a, type: fc, out_features: 2}\n")));
  const auto bad = network("  - {name: ok, type: fc, out_features: 2}\n"
                           "  - {name: xn, type: fc, out_features: 2, multiplier: xnor_popcount}\n");
  try {
    check_network(a, bad);
    FAIL();
  } catch (const config::InputError& e) {
    ASSERT_EQ(e.diagnostics().size(), 1u);
    EXPECT_EQ(e.diagnostics()[0].key_path, "xn");
    EXPECT_EQ(e.diagnostics()[0].where.to_string(), "n.yaml:5:5");
  }
}

}  // namespace
}  // namespace qarch::arch
