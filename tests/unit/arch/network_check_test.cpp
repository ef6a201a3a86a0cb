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

TEST(NetworkCheck, ALayerCanRunInABlockFormatOfItsOwn) {
  // An int8 array whose middle layer runs MXFP8 weights and activations on block_dot.
  const ArchSpec a = load_arch(testing::write_temp(testing::kValidArch));
  const auto net = network("  - {name: a, type: fc, out_features: 2}\n"
                           "  - {name: mx, type: fc, out_features: 2, weight_format: mxfp8_e4m3,"
                           " activation_format: mxfp8_e4m3, accumulator_format: fp32, multiplier: block_dot}\n"
                           "  - {name: w4, type: fc, out_features: 2, weight_format: int4_g16,"
                           " activation_format: fp16, accumulator_format: fp32, multiplier: block_dot}\n");
  EXPECT_NO_THROW(check_network(a, net));
  const LayerFormats mx = resolve_formats(a, net.layers[1]);
  EXPECT_TRUE(mx.weight.is_block_scaled());
  EXPECT_EQ(mx.activation.to_string(), "mxfp8_e4m3");
  EXPECT_FALSE(resolve_formats(a, net.layers[0]).weight.is_block_scaled());
  // On a 16-row ws array, blocks of 32 do not fit the spatial reduction: the layer is named.
  ArchSpec ws = a;
  ws.pe_array.dataflow = Dataflow::WeightStationary;
  try {
    check_network(ws, net);
    FAIL();
  } catch (const config::InputError& e) {
    ASSERT_EQ(e.diagnostics().size(), 1u);
    EXPECT_EQ(e.diagnostics()[0].key_path, "mx");
    EXPECT_NE(e.diagnostics()[0].message.find("mxfp8_e4m3 has blocks of 32 elements, which do not divide the 16 rows"),
              std::string::npos)
        << e.diagnostics()[0].message;
  }
}

}  // namespace
}  // namespace qarch::arch
