// Layer fusion, on-chip hand-off and resident weights (mapping/fusion.hpp): exactly the
// producer's output stores and the consumer's loads of it leave DRAM, in closed form.
#include "mapping/fusion.hpp"

#include <gtest/gtest.h>

#include <numeric>

#include "arch/network_check.hpp"
#include "config/document.hpp"
#include "mapping/fold_plan.hpp"
#include "test_layers.hpp"
#include "workload/yaml_network_loader.hpp"

namespace qarch::mapping {
namespace {

using arch::WeightResidency;

workload::Network network(const std::string& input, const std::string& layers) {
  return workload::load_yaml_network(
      config::Document::parse("name: n\ninput: " + input + "\nlayers:\n" + layers, "n.yaml"));
}

// conv1 -> relu1 -> maxpool -> fc: int8, 4x8x8 = 256 B out of conv1 and relu1, 64 B out of pool1.
workload::Network chain() {
  return network("{channels: 1, height: 8, width: 8}",
                 "  - {name: conv1, type: conv2d, filters: 4, kernel: 3, padding: 1}\n"
                 "  - {name: relu1, type: activation, function: relu}\n"
                 "  - {name: pool1, type: maxpool, kernel: 2}\n"
                 "  - {name: fc1, type: fc, out_features: 10}\n");
}

// a feeds b and the shortcut s; add(b, s) (or add(s, b)) then relu. 64 B per tensor.
workload::Network skip(const std::string& add_inputs) {
  return network("{channels: 4, height: 4, width: 4}",
                 "  - {name: a, type: conv2d, filters: 4, kernel: 1}\n"
                 "  - {name: b, type: conv2d, filters: 4, kernel: 1}\n"
                 "  - {name: s, type: conv2d, input: a, filters: 4, kernel: 1}\n"
                 "  - {name: add, type: add, inputs: " + add_inputs + "}\n"
                 "  - {name: r, type: activation, function: relu}\n");
}

arch::ArchSpec design(bool fuse, WeightResidency weights = WeightResidency::Streamed) {
  arch::ArchSpec a = testing::make_arch(8, 8, arch::Dataflow::WeightStationary, false);
  a.memory.fuse_layers = fuse;
  a.memory.weights_resident = weights;
  return a;
}

std::vector<Mapping> layer_by_layer(const arch::ArchSpec& a, const workload::Network& net) {
  std::vector<Mapping> m;
  for (const auto& layer : net.layers) m.push_back(map_layer(a, layer));
  return m;
}

struct Bytes {
  std::int64_t read = 0, write = 0;
};

// What the folds move (what the simulator executes).
Bytes fold_bytes(const Mapping& mp) {
  Bytes b;
  for (std::int64_t i = 0; i < mp.folds(); ++i) {
    const FoldWork w = fold_work(mp, i);
    b.read += w.loads.bytes();
    b.write += w.stores.bytes();
  }
  return b;
}

void expect_folds_match_totals(const std::vector<Mapping>& mappings) {
  for (const Mapping& mp : mappings) {
    const Bytes b = fold_bytes(mp);
    EXPECT_EQ(b.read, mp.dram_read_bytes) << mp.layer;
    EXPECT_EQ(b.write, mp.dram_write_bytes) << mp.layer;
  }
}

TEST(Fusion, OffEveryLayerRoundTripsThroughDram) {
  const workload::Network net = workload::load_network(std::string(QARCH_SOURCE_DIR) + "/workloads/lenet5.yaml");
  const arch::ArchSpec a = design(false);
  const auto fused = map_network(a, net);
  const auto alone = layer_by_layer(a, net);
  ASSERT_EQ(fused.size(), alone.size());
  for (std::size_t i = 0; i < fused.size(); ++i) {
    EXPECT_FALSE(fused[i].on_chip.any()) << fused[i].layer;
    EXPECT_EQ(fused[i].dram_read_bytes, alone[i].dram_read_bytes) << fused[i].layer;
    EXPECT_EQ(fused[i].dram_write_bytes, alone[i].dram_write_bytes) << fused[i].layer;
    EXPECT_GT(fused[i].dram_write_bytes, 0) << fused[i].layer;
  }
  expect_folds_match_totals(fused);
}

TEST(Fusion, AChainFusesPairByPairAndHandsOffToTheFc) {
  const workload::Network net = chain();
  const auto off = map_network(design(false), net);
  const auto on = map_network(design(true), net);
  // Today's bytes: every layer reads its input and writes its output.
  EXPECT_EQ(off[0].dram_write_bytes, 256);
  EXPECT_EQ(off[1].dram_read_bytes, 256);
  EXPECT_EQ(off[1].dram_write_bytes, 256);
  EXPECT_EQ(off[2].dram_read_bytes, 256);
  EXPECT_EQ(off[2].dram_write_bytes, 64);
  EXPECT_EQ(off[3].dram_read_bytes, 64 + 640);  // input, weights
  EXPECT_EQ(off[3].dram_write_bytes, 10);
  // Fused: conv1 -> relu1 -> pool1 on chip, pool1's 64 B fit fc1's input buffer.
  EXPECT_EQ(on[0].dram_read_bytes, off[0].dram_read_bytes);
  EXPECT_EQ(on[0].dram_write_bytes, 0);
  EXPECT_EQ(on[1].dram_read_bytes, 0);
  EXPECT_EQ(on[1].dram_write_bytes, 0);
  EXPECT_EQ(on[2].dram_read_bytes, 0);
  EXPECT_EQ(on[2].dram_write_bytes, 0);
  EXPECT_EQ(on[3].dram_read_bytes, 640);
  EXPECT_EQ(on[3].dram_write_bytes, 10);
  EXPECT_EQ(on[0].on_chip.fused_into, "relu1");
  EXPECT_EQ(on[1].on_chip.fused_into, "pool1");
  EXPECT_EQ(on[2].on_chip.fused_into, "fc1");
  EXPECT_EQ(on[3].on_chip.fused_into, "");
  EXPECT_EQ(on[3].on_chip.input_from, "pool1");
  EXPECT_EQ(on[0].on_chip.output_bytes_saved, 256);
  EXPECT_EQ(on[3].on_chip.input_bytes_saved, 64);
  // The vector layers keep their work; only DRAM traffic changes.
  for (std::size_t i = 0; i < on.size(); ++i) {
    EXPECT_EQ(on[i].compute_cycles, off[i].compute_cycles);
    EXPECT_EQ(on[i].accesses, off[i].accesses);
  }
  expect_folds_match_totals(on);
  const OnChipSummary s = summarize_on_chip(design(true), net, on);
  EXPECT_EQ(s.fused_outputs, 3);
  EXPECT_EQ(s.fusion_bytes_saved, 2 * 256 + 2 * 256 + 2 * 64);
  EXPECT_EQ(s.fusion_bytes_possible, s.fusion_bytes_saved);
  const OnChipSummary would = summarize_on_chip(design(false), net, off);
  EXPECT_EQ(would.fused_outputs, 0);
  EXPECT_EQ(would.fusion_bytes_saved, 0);
  EXPECT_EQ(would.fusion_bytes_possible, s.fusion_bytes_saved);
}

TEST(Fusion, HandOffOnlyWhenTheWholeInputFitsTheInputBuffer) {
  const workload::Network net = chain();
  // fc1 reads 64 int8 values; 64-bit words hold 8. Usable = half the (double-buffered) buffer.
  for (const auto& [bytes, fits] : {std::pair{128.0, true}, std::pair{120.0, false}}) {
    arch::ArchSpec a = design(true);
    a.input_buffer.size_kib = bytes / 1024.0;
    arch::ArchSpec a_off = a;
    a_off.memory.fuse_layers = false;
    const auto on = map_network(a, net);
    const auto off = map_network(a_off, net);
    EXPECT_EQ(on[2].on_chip.output, fits) << bytes;
    EXPECT_EQ(on[2].dram_write_bytes, fits ? 0 : 64) << bytes;
    EXPECT_EQ(on[3].dram_read_bytes, off[3].dram_read_bytes - (fits ? 64 : 0)) << bytes;
    // The vector layers fuse whatever the buffer size.
    EXPECT_EQ(on[0].dram_write_bytes, 0) << bytes;
    EXPECT_EQ(on[2].dram_read_bytes, 0) << bytes;
    expect_folds_match_totals(on);
  }
}

TEST(Fusion, AddKeepsReadingTheSkipOperand) {
  for (const std::string order : {"[b, s]", "[s, b]"}) {
    const workload::Network net = skip(order);
    const auto off = map_network(design(false), net);
    const auto on = map_network(design(true), net);
    EXPECT_EQ(off[3].dram_read_bytes, 128) << order;
    // a is read by b and s: it goes to DRAM; b is not right before add: it goes to DRAM.
    EXPECT_EQ(on[0].dram_write_bytes, off[0].dram_write_bytes) << order;
    EXPECT_FALSE(on[0].on_chip.output);
    EXPECT_EQ(on[1].dram_write_bytes, 64) << order;
    EXPECT_FALSE(on[1].on_chip.output);
    // s hands its output to add on chip; add still reads b, then fuses into r.
    EXPECT_EQ(on[2].dram_write_bytes, 0) << order;
    EXPECT_EQ(on[3].dram_read_bytes, 64) << order;
    EXPECT_EQ(on[3].dram_write_bytes, 0) << order;
    EXPECT_EQ(on[4].dram_read_bytes, 0) << order;
    EXPECT_EQ(on[4].dram_write_bytes, 64) << order;
    // What add still loads is b's half of its input region.
    const std::int64_t b_offset = order == "[b, s]" ? 0 : 64;
    for (std::int64_t i = 0; i < on[3].folds(); ++i) {
      const FoldWork w = fold_work(on[3], i);
      for (int t = 0; t < w.loads.count; ++t) {
        const Transfer& x = w.loads.items[static_cast<std::size_t>(t)];
        const std::int64_t offset = x.address - dram_region(Operand::Input, false);
        EXPECT_GE(offset, b_offset) << order;
        EXPECT_LE(offset + x.bytes, b_offset + 64) << order;
      }
    }
    expect_folds_match_totals(on);
  }
}

TEST(WeightResidency, ResidentWeightsAreNeverLoaded) {
  const workload::Network net = workload::load_network(std::string(QARCH_SOURCE_DIR) + "/workloads/lenet5.yaml");
  const auto streamed = map_network(design(false, WeightResidency::Streamed), net);
  const auto resident = map_network(design(false, WeightResidency::Resident), net);
  std::int64_t saved = 0;
  for (std::size_t i = 0; i < net.layers.size(); ++i) {
    const Mapping& s = streamed[i];
    const std::int64_t weights =
        net.layers[i].has_weights() ? s.groups * s.weights.dram_bytes * s.weights.dram_fetches : 0;
    EXPECT_EQ(resident[i].dram_read_bytes, s.dram_read_bytes - weights) << s.layer;
    EXPECT_EQ(resident[i].dram_write_bytes, s.dram_write_bytes) << s.layer;
    EXPECT_EQ(resident[i].on_chip.weight_bytes_saved, weights) << s.layer;
    saved += weights;
  }
  // LeNet-5's int8 weights: 150 + 2400 + 48000 + 10080 + 840 bytes.
  EXPECT_EQ(saved, 150 + 2400 + 48000 + 10080 + 840);
  expect_folds_match_totals(resident);
}

TEST(WeightResidency, AutoMeansTheyAllFitTheWeightBuffer) {
  const workload::Network net = workload::load_network(std::string(QARCH_SOURCE_DIR) + "/workloads/lenet5.yaml");
  arch::ArchSpec a = design(false, WeightResidency::Auto);
  const std::int64_t weights = 150 + 2400 + 48000 + 10080 + 840;
  EXPECT_EQ(arch::weight_footprint(a, net).weight_bytes, weights);
  // 64 KiB double-buffered: 32 KiB usable < 61,470 bytes.
  EXPECT_FALSE(arch::weights_resident(a, net));
  EXPECT_EQ(map_network(a, net)[6].on_chip.weight_bytes_saved, 0);
  a.weight_buffer.double_buffered = false;  // 64 KiB usable
  EXPECT_TRUE(arch::weights_resident(a, net));
  EXPECT_EQ(map_network(a, net)[6].on_chip.weight_bytes_saved, 48000);
  a.weight_buffer.size_kib = (weights - 1) / 1024.0;
  EXPECT_FALSE(arch::weights_resident(a, net));
  a.weight_buffer.size_kib = weights / 1024.0;
  EXPECT_TRUE(arch::weights_resident(a, net));
  a.memory.weights_resident = WeightResidency::Streamed;
  EXPECT_FALSE(arch::weights_resident(a, net));
}

TEST(WeightResidency, TrueWhenTheyDoNotFitIsAnErrorNamingTheKeyAndSizes) {
  const workload::Network net = workload::load_network(std::string(QARCH_SOURCE_DIR) + "/workloads/lenet5.yaml");
  arch::ArchSpec a = design(false, WeightResidency::Resident);
  a.memory.weights_resident_location = config::Location{"a.yaml", 12, 21};
  try {
    arch::check_network(a, net);
    FAIL() << "no error";
  } catch (const config::InputError& e) {
    ASSERT_EQ(e.diagnostics().size(), 1u);
    const config::Diagnostic& d = e.diagnostics()[0];
    EXPECT_EQ(d.key_path, "memory.weights_resident");
    EXPECT_EQ(d.where.to_string(), "a.yaml:12:21");
    EXPECT_NE(d.message.find("61470 bytes"), std::string::npos) << d.message;
    EXPECT_NE(d.message.find("32768 bytes"), std::string::npos) << d.message;
  }
  a.weight_buffer.double_buffered = false;
  EXPECT_NO_THROW(arch::check_network(a, net));
}

}  // namespace
}  // namespace qarch::mapping
