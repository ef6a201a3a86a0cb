// Actions from the closed-form mapping, against hand-derived counts (docs/cost.md, "Actions").

#include <gtest/gtest.h>

#include "cost/actions.hpp"
#include "unit/mapping/test_layers.hpp"

namespace qarch::cost {
namespace {

using qarch::testing::conv_layer;
using qarch::testing::fc_layer;
using qarch::testing::make_arch;
using qarch::testing::pool_layer;

// fc 16 -> 8, batch 4 on a 16 x 8 ws array (64 KiB buffers, 64-bit words, int8 x int8 -> int32):
// m = 4, k = 16, n = 8 is one fold; weights stationary (k x n = 128 reads), inputs stream
// (t x used rows = 4 x 16), partial sums leave the bottom (t x used cols = 4 x 8).
TEST(Actions, WeightStationaryFcByHand) {
  const arch::ArchSpec arch = make_arch(16, 8, arch::Dataflow::WeightStationary);
  const LayerActions a = actions_from(arch, fc_layer("fc", 16, 8, 4));
  EXPECT_EQ(a.macs, 512);
  EXPECT_EQ(a.rf(Store::Weight).read_bits, 512 * 8);
  EXPECT_EQ(a.rf(Store::Input).read_bits, 512 * 8);
  EXPECT_EQ(a.rf(Store::Output).write_bits, 512 * 32);
  EXPECT_EQ(a.array_bits, 512 * (8 + 32));  // activation right, psum down, per MAC
  EXPECT_EQ(a.buffer(Store::Weight).read_bits, 128 / 8 * 64);   // 128 int8 = 16 words
  EXPECT_EQ(a.buffer(Store::Input).read_bits, 64 / 8 * 64);     // 64 int8 = 8 words
  EXPECT_EQ(a.buffer(Store::Output).write_bits, 32 / 2 * 64);   // 32 int32 = 16 words
  // DRAM: 128 weight bytes and 64 input bytes in, 32 int8 outputs out; the buffers move them.
  EXPECT_EQ(a.dram_read_bytes, 128 + 64);
  EXPECT_EQ(a.dram_write_bytes, 32);
  EXPECT_EQ(a.buffer(Store::Weight).write_bits, 128 * 8);
  EXPECT_EQ(a.buffer(Store::Input).write_bits, 64 * 8);
  EXPECT_EQ(a.buffer(Store::Output).read_bits, 32 * 8);
  // One fold of 2 rows + cols + t - 2 = 42 cycles.
  EXPECT_EQ(a.cycles, 42);
  EXPECT_EQ(a.weight_format.to_string(), "int8");
  EXPECT_EQ(a.accumulator_format.to_string(), "int32");
}

TEST(Actions, OutputAndInputStationaryHopsMoveTheirOperands) {
  const workload::Layer fc = fc_layer("fc", 16, 8, 4);
  const LayerActions os = actions_from(make_arch(16, 8, arch::Dataflow::OutputStationary), fc);
  EXPECT_EQ(os.array_bits, 512 * (8 + 8));  // inputs right, weights down; psums stay
  const LayerActions is = actions_from(make_arch(16, 8, arch::Dataflow::InputStationary), fc);
  EXPECT_EQ(is.array_bits, 512 * (8 + 32));  // weights right, psums down
}

// A 3x3 filter over a 5x5 ifmap (one channel, one filter) on a 3x3 rs array: one PE set of
// 3 filter rows x 3 output rows, one pass. Each of the 3 output rows of 3 psums climbs 2 PEs:
// 18 psum hops of 32 bits. Every MAC reads weight, ifmap and psum and writes the psum.
TEST(Actions, RowStationaryPsumHopsAndRegisterFiles) {
  const arch::ArchSpec arch = make_arch(3, 3, arch::Dataflow::RowStationary);
  const LayerActions a = actions_from(arch, conv_layer("c", 5, 5, 3, 3, 1, 1, 1));
  EXPECT_EQ(a.macs, 81);
  EXPECT_EQ(a.array_bits, 18 * 32);
  EXPECT_EQ(a.rf(Store::Weight).read_bits, 81 * 8);
  EXPECT_EQ(a.rf(Store::Input).read_bits, 81 * 8);
  EXPECT_EQ(a.rf(Store::Output).read_bits, 81 * 32);
  EXPECT_EQ(a.rf(Store::Output).write_bits, 81 * 32);
  // Filled from the buffers: what was read from them goes into the PE register files.
  EXPECT_GT(a.rf(Store::Weight).write_bits, 0);
  EXPECT_EQ(a.rf(Store::Weight).write_bits % 8, 0);
}

// A 2x2/2 max pool of 4 x 4 x 4: 16 outputs, each reading its 4-element window.
TEST(Actions, VectorLayerHasElementOpsAndNoMacs) {
  const arch::ArchSpec arch = make_arch(4, 4, arch::Dataflow::WeightStationary);
  const LayerActions a = actions_from(arch, pool_layer("p", 4, 4, 4, 2, 2));
  EXPECT_EQ(a.macs, 0);
  EXPECT_EQ(a.vector_ops, 16 * 4);
  EXPECT_EQ(a.buffer(Store::Input).read_bits, 64 / 8 * 64);
  EXPECT_EQ(a.buffer(Store::Output).write_bits, 16 / 8 * 64);
  EXPECT_EQ(a.array_bits, 0);
  EXPECT_EQ(a.dram_read_bytes, 64);
  EXPECT_EQ(a.dram_write_bytes, 16);
}

}  // namespace
}  // namespace qarch::cost
