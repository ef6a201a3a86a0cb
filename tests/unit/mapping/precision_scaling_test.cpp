// Precision-scalable PEs in the mapping: lanes widen the virtual array's columns (the fold grid
// of SCALE-Sim's formulas over cols x lanes) while the skew stays that of the physical columns;
// clocks per step multiply every fold. Closed forms written out here, independent of the code.

#include <gtest/gtest.h>

#include "mapping/fold_plan.hpp"
#include "mapping/mapping.hpp"
#include "test_layers.hpp"

namespace qarch::mapping {
namespace {

using arch::Dataflow;
using arch::PrecisionScaling;

std::int64_t ceil_of(std::int64_t a, std::int64_t b) { return (a + b - 1) / b; }

workload::Layer fc(std::int64_t in, std::int64_t out, int batch, const char* weight, const char* activation) {
  workload::Layer l = testing::fc_layer("fc", in, out, batch);
  l.quantization.weight_format = numerics::Format::parse(weight);
  l.quantization.activation_format = numerics::Format::parse(activation);
  return l;
}

arch::ArchSpec array(int rows, int cols, Dataflow flow, PrecisionScaling scaling) {
  arch::ArchSpec a = testing::make_arch(rows, cols, flow, /*ideal=*/true);
  for (arch::BufferSpec* b : {&a.weight_buffer, &a.input_buffer, &a.output_buffer}) b->size_kib = 1024;
  a.pe_array.precision_scaling = scaling;
  return a;
}

TEST(PrecisionScalingMapping, LanesWidenTheFoldGridNotTheSkew) {
  const int rows = 8, cols = 4;
  const std::int64_t m = 20, k = 64, n = 64;
  struct Case {
    PrecisionScaling scaling;
    const char *weight, *activation;
    int lanes;
  };
  for (const Case& c : {Case{PrecisionScaling::Fusion, "int4", "int4", 4}, Case{PrecisionScaling::Fusion, "int2", "int4", 8},
                        Case{PrecisionScaling::Fusion, "int8", "int8", 1}}) {
    for (Dataflow flow : {Dataflow::WeightStationary, Dataflow::OutputStationary, Dataflow::InputStationary}) {
      const arch::ArchSpec a = array(rows, cols, flow, c.scaling);
      const Mapping mp = map_layer(a, fc(k, n, static_cast<int>(m), c.weight, c.activation));
      SCOPED_TRACE(describe(mp));
      ASSERT_EQ(mp.lanes, c.lanes);
      EXPECT_EQ(mp.cols, cols * c.lanes);
      const std::int64_t vcols = cols * c.lanes;
      std::int64_t expected = 0;
      switch (flow) {
        case Dataflow::WeightStationary:  // Sr = k, Sc = n, t = m
          expected = ceil_of(k, rows) * ceil_of(n, vcols) * (2 * rows + cols + m - 2) - 1;
          break;
        case Dataflow::OutputStationary:  // Sr = m, Sc = n, t = k
          expected = ceil_of(m, rows) * ceil_of(n, vcols) * (k + rows + cols - 2) - 1;
          break;
        default:  // is: Sr = k, Sc = m, t = n
          expected = ceil_of(k, rows) * ceil_of(m, vcols) * (2 * rows + cols + n - 2) - 1;
          break;
      }
      EXPECT_EQ(mp.compute_cycles, expected);
      EXPECT_EQ(mp.step_cycles, 1);
      // The reduction is the bit-parallel array's: functional mode sums in the same order.
      const Mapping plain = map_layer(array(rows, cols, flow, PrecisionScaling::BitParallel),
                                      fc(k, n, static_cast<int>(m), c.weight, c.activation));
      EXPECT_EQ(mp.flow->accumulation_order(mp).name, plain.flow->accumulation_order(plain).name);
    }
  }
}

TEST(PrecisionScalingMapping, BitSerialHoldsEveryStepForTheSerialBits) {
  for (Dataflow flow : {Dataflow::WeightStationary, Dataflow::OutputStationary, Dataflow::InputStationary,
                        Dataflow::RowStationary, Dataflow::AdderTree}) {
    for (const char* activation : {"int2", "int5", "int8"}) {
      const workload::Layer layer = fc(40, 24, 6, "int8", activation);
      const Mapping plain = map_layer(array(4, 4, flow, PrecisionScaling::BitParallel), layer);
      const Mapping serial = map_layer(array(4, 4, flow, PrecisionScaling::BitSerial), layer);
      const int bits = numerics::Format::parse(activation).bits();
      SCOPED_TRACE(describe(serial));
      ASSERT_EQ(serial.step_cycles, bits);
      EXPECT_EQ(serial.compute_cycles + 1, (plain.compute_cycles + 1) * bits);
      std::int64_t folds = 0;
      for (std::int64_t i = 0; i < serial.folds(); ++i) {
        EXPECT_EQ(fold_work(serial, i).cycles, fold_work(plain, i).cycles * bits);
        folds += fold_work(serial, i).cycles;
      }
      EXPECT_EQ(serial.macs, plain.macs);
      EXPECT_GT(folds, 0);
    }
  }
}

}  // namespace
}  // namespace qarch::mapping
