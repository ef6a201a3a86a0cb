// SRAM timing: a cycle's words against the buffers' banks x ports, the systolic streams'
// closed form against counting port by port, and the global buffer's split.

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "mapping/buffer_ports.hpp"
#include "mapping/buffer_split.hpp"
#include "mapping/fold_plan.hpp"
#include "mapping/mapping.hpp"
#include "test_layers.hpp"

namespace qarch::mapping {
namespace {

arch::ArchSpec port_arch(int banks, int ports, int word_bits) {
  arch::ArchSpec a = testing::make_arch(16, 16, arch::Dataflow::WeightStationary, false, "int8", "int8");
  for (arch::BufferSpec* b : {&a.weight_buffer, &a.input_buffer, &a.output_buffer}) {
    b->banks = banks;
    b->ports = ports;
    b->word_bits = word_bits;
  }
  return a;
}

Mapping mapping_for(const arch::ArchSpec& a) {
  return map_layer(a, testing::conv_layer("c", 12, 12, 3, 3, 16, 16, 1));
}

TEST(BufferPorts, ACycleTakesItsWordsOverBanksTimesPorts) {
  for (int banks : {1, 2, 4}) {
    for (int ports : {1, 2}) {
      const arch::ArchSpec a = port_arch(banks, ports, 64);  // 8 int8 values per word
      const BufferPorts p(a, mapping_for(a));
      for (std::int64_t n : {0, 1, 8, 9, 16, 17, 63, 64, 65}) {
        EdgeCycle c;
        c[EdgeOp::InputRead] = n;
        const std::int64_t words = (n + 7) / 8;
        const std::int64_t expected = std::max<std::int64_t>(1, (words + banks * ports - 1) / (banks * ports));
        EXPECT_EQ(p.cycles(c), expected) << n << " values, " << banks << " banks, " << ports << " ports";
      }
    }
  }
}

TEST(BufferPorts, TensorsInTheirOwnBuffersOverlapAndInTheGlobalBufferAdd) {
  arch::ArchSpec a = port_arch(1, 1, 64);
  EdgeCycle c;
  c[EdgeOp::WeightRead] = 8;  // one word each
  c[EdgeOp::InputRead] = 8;
  c[EdgeOp::OutputWrite] = 2;  // int32 sums: one word
  EXPECT_EQ(BufferPorts(a, mapping_for(a)).cycles(c), 1);
  a.global_buffer = a.input_buffer;
  a.global_serves = {true, true, true};
  a.weight_buffer = a.input_buffer = a.output_buffer = a.global_buffer;
  EXPECT_EQ(BufferPorts(a, mapping_for(a)).cycles(c), 3);
  a.memory.ideal = true;  // an ideal memory never holds the array
  EXPECT_EQ(BufferPorts(a, mapping_for(a)).cycles(c), 1);
}

TEST(BufferPorts, StaggeredStreamsMatchCountingPortByPort) {
  std::mt19937_64 rng(7);
  const arch::ArchSpec a = port_arch(1, 1, 16);  // two int8 per word: almost every cycle stalls
  const Mapping mp = mapping_for(a);
  const BufferPorts ports(a, mp);
  for (int trial = 0; trial < 300; ++trial) {
    std::vector<StaggeredStream> streams;
    const int count = static_cast<int>(testing::uniform(rng, 1, 4));
    for (int s = 0; s < count; ++s) {
      streams.push_back({static_cast<EdgeOp>(testing::uniform(rng, 0, 3)), testing::uniform(rng, 0, 20),
                         testing::uniform(rng, 0, 12), testing::uniform(rng, 0, 30)});
    }
    EdgeDemand demand;
    add_streams(streams, demand);
    // Reference: every cycle, every port of every stream.
    std::int64_t stall = 0;
    std::array<std::int64_t, kEdgeOps> moved{};
    for (std::int64_t tau = 0; tau < 80; ++tau) {
      EdgeCycle c;
      for (const StaggeredStream& s : streams)
        for (std::int64_t i = 0; i < s.count; ++i)
          if (tau >= s.first + i && tau < s.first + i + s.length) ++c[s.op];
      stall += ports.cycles(c) - 1;
      for (int op = 0; op < kEdgeOps; ++op) moved[static_cast<std::size_t>(op)] += c.elements[static_cast<std::size_t>(op)];
    }
    EXPECT_EQ(ports.stall_cycles(demand), stall) << "trial " << trial;
    std::array<std::int64_t, kEdgeOps> listed{};
    for (const EdgeRun& r : demand.runs)
      for (int op = 0; op < kEdgeOps; ++op)
        listed[static_cast<std::size_t>(op)] += r.cycle.elements[static_cast<std::size_t>(op)] * r.cycles;
    EXPECT_EQ(listed, moved) << "trial " << trial;
  }
}

// The done-when of issue 16: a layer bound by its buffers' bandwidth stalls more, in the fast
// engine's figures (fold_work), when its buffers lose ports or banks.
std::int64_t layer_sram_stalls(int banks, int ports) {
  arch::ArchSpec a = port_arch(banks, ports, 64);
  a.pe_array.activation_format = numerics::Format::parse("int16");  // 16 rows x 16 b = 4 words a cycle
  const Mapping mp = mapping_for(a);
  std::int64_t stall = 0;
  for (std::int64_t f = 0; f < mp.folds(); ++f) stall += fold_work(mp, f).sram_stall_cycles;
  return stall;
}

TEST(BufferPorts, HalvingPortsOrBanksRaisesStallsOnABandwidthBoundLayer) {
  // Per streaming cycle: 16 int16 inputs (4 words), and 16 int32 sums written and 16 earlier
  // ones read back (8 + 8 words) in the output buffer.
  const std::int64_t full = layer_sram_stalls(8, 2);
  const std::int64_t half_ports = layer_sram_stalls(8, 1);
  const std::int64_t half_banks = layer_sram_stalls(4, 2);
  const std::int64_t quarter = layer_sram_stalls(2, 2);
  EXPECT_EQ(full, 0);  // 16 words a cycle served
  EXPECT_GT(half_ports, 0);
  EXPECT_EQ(half_banks, half_ports);  // banks x ports is what counts
  EXPECT_GT(quarter, 2 * half_ports);  // 4 words a cycle: a streaming cycle takes 4, not 2
}

TEST(BufferSplit, EverySplitInEighthsOfTheServedTensors) {
  arch::ArchSpec a = port_arch(1, 1, 64);
  EXPECT_TRUE(buffer_splits(a).empty());
  a.global_buffer = a.input_buffer;
  a.global_buffer.size_kib = 96;
  a.global_serves = {true, true, false};
  EXPECT_EQ(buffer_splits(a).size(), 7u);  // (1..7, 7..1)
  a.global_serves = {true, true, true};
  const auto splits = buffer_splits(a);
  EXPECT_EQ(splits.size(), 21u);  // compositions of 8 into 3 positive parts: C(7, 2)
  for (const BufferSplit& s : splits) {
    EXPECT_EQ(s[0] + s[1] + s[2], 96 * 1024);
    for (std::int64_t share : s) EXPECT_EQ(share % (12 * 1024), 0);  // eighths
    const arch::ArchSpec view = tiling_view(a, s);
    EXPECT_DOUBLE_EQ(view.weight_buffer.size_kib + view.input_buffer.size_kib + view.output_buffer.size_kib, 96);
  }
}

TEST(BufferSplit, ResidencySplitsGiveTensorsExactlyTheirReuseSetOrTile) {
  arch::ArchSpec a = port_arch(1, 1, 64);
  a.global_buffer = a.input_buffer;
  a.global_buffer.size_kib = 100;
  a.global_buffer.double_buffered = false;
  a.global_serves = {true, true, true};
  const std::int64_t total = 100 * 1024, k = 1024;
  // Reuse sets: weights 90 KiB, inputs 60 KiB, outputs 4 KiB; tiles 2, 30 and 1 KiB.
  const auto splits = residency_splits(a, {90 * k, 60 * k, 4 * k}, {2 * k, 30 * k, 1 * k});
  const auto has = [&](const BufferSplit& s) { return std::find(splits.begin(), splits.end(), s) != splits.end(); };
  EXPECT_TRUE(has({90 * k, 5 * k, 5 * k}));    // weights resident, the rest halved
  EXPECT_TRUE(has({48 * k, 48 * k, 4 * k}));   // outputs resident
  EXPECT_TRUE(has({90 * k, 6 * k, 4 * k}));    // weights and outputs resident, the rest to inputs
  EXPECT_TRUE(has({69 * k, 30 * k, 1 * k}));   // the input and output tiles, weights the rest
  EXPECT_TRUE(has({2 * k, 60 * k, 38 * k}));   // weight tile, inputs resident, outputs the rest
  EXPECT_FALSE(has({90 * k, 60 * k, 0}));      // weights and inputs together do not fit
  for (const BufferSplit& s : splits) {
    EXPECT_EQ(s[0] + s[1] + s[2], total);
    EXPECT_EQ(std::count(splits.begin(), splits.end(), s), 1);
  }
  a.global_buffer.double_buffered = true;  // each share holds its reuse set in one half
  const auto doubled = residency_splits(a, {40 * k, 30 * k, 2 * k}, {k, k, k});
  EXPECT_NE(std::find(doubled.begin(), doubled.end(), BufferSplit{80 * k, 10 * k, 10 * k}), doubled.end());
}

TEST(BufferSplit, TheMapperKeepsTheSplitWithTheBestEstimate) {
  arch::ArchSpec a = port_arch(4, 1, 64);
  a.global_buffer = a.input_buffer;
  a.global_buffer.size_kib = 4;  // tight: the split decides what is re-read from DRAM
  a.global_serves = {true, true, true};
  a.weight_buffer = a.input_buffer = a.output_buffer = a.global_buffer;
  const workload::Layer layer = testing::conv_layer("c", 20, 20, 3, 3, 32, 48, 1);
  const Mapping chosen = map_layer(a, layer);
  EXPECT_NE(chosen.split, BufferSplit{});
  std::int64_t worst = 0;
  for (const BufferSplit& s : buffer_splits(a)) {
    Mapping mp = base_mapping(a, layer);
    const arch::ArchSpec view = tiling_view(a, s);
    mp.flow->plan(view, layer, {}, false, mp);
    EXPECT_LE(chosen.estimate.total_cycles, mp.estimate.total_cycles);
    worst = std::max(worst, mp.estimate.total_cycles);
  }
  EXPECT_LT(chosen.estimate.total_cycles, worst);  // the split matters for this layer
  EXPECT_NE(describe(chosen).find("global buffer split:"), std::string::npos);
}

}  // namespace
}  // namespace qarch::mapping
