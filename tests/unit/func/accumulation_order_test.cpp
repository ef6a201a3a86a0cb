// The accumulation order of each dataflow, against independent re-implementations of the
// documented orders (docs/functional.md, "Accumulation order") with a saturating int12 and a
// rounding fp16 accumulator, where the order changes the result.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "func/quantized_layer.hpp"
#include "func_test_support.hpp"
#include "numerics/codec.hpp"

namespace qarch::func {
namespace {

using arch::Dataflow;
using mapping::AccumulationOrder;

AccumulationOrder order_of(const arch::ArchSpec& a, const workload::Layer& l) {
  const mapping::Mapping mp = mapping::map_layer(a, l);
  return mp.flow->accumulation_order(mp);
}

// conv2d: 3 channels, 3x3 kernel, padding 1, 4 filters on a 3x6x6 input: k = 27, m = 36.
workload::Layer small_conv() {
  workload::Layer l;
  l.name = "conv";
  l.type = workload::LayerType::Conv2d;
  l.input = {3, 6, 6};
  l.kernel_h = l.kernel_w = 3;
  l.pad_top = l.pad_bottom = l.pad_left = l.pad_right = 1;
  l.filters = 4;
  l.output = {4, 6, 6};
  l.gemm = {1, 36, 27, 4};
  l.inputs = {"input"};
  l.quantization.weight_scale = 1.0;
  l.quantization.activation_scale = 1.0;
  return l;
}

TEST(AccumulationOrder, FoldsFollowTheMapping) {
  const workload::Layer l = small_conv();
  const AccumulationOrder os = order_of(testing::func_arch("int8", "int8", "int32", "exact", Dataflow::OutputStationary, 4, 4), l);
  EXPECT_TRUE(os.sequential);
  const AccumulationOrder ws = order_of(testing::func_arch("int8", "int8", "int32", "exact", Dataflow::WeightStationary, 4, 4), l);
  ASSERT_EQ(ws.folds.size(), 7u);  // ceil(27 / 4)
  EXPECT_EQ(ws.folds[6].segments.size(), 1u);
  EXPECT_EQ(ws.folds[6].segments[0].begin, 24);
  EXPECT_EQ(ws.folds[6].segments[0].end, 27);
  EXPECT_FALSE(ws.folds[6].tree);
  EXPECT_EQ(ws.name, "row_folds(4)");
  const AccumulationOrder rs = order_of(testing::func_arch("int8", "int8", "int32", "exact", Dataflow::RowStationary, 2, 8), l);
  ASSERT_EQ(rs.folds.size(), 2u);  // filter rows {0, 1}, {2}: set_h = min(R, rows) = 2
  EXPECT_EQ(rs.folds[0].segments.size(), 2u);
  EXPECT_EQ(rs.folds[1].segments.size(), 1u);
  EXPECT_EQ(rs.folds[1].segments[0].begin, 18);
  ASSERT_EQ(rs.permutation.size(), 27u);
  EXPECT_EQ(rs.permutation[1], 1);   // (r 0, c 0, s 1) is original (c 0, r 0, s 1)
  EXPECT_EQ(rs.permutation[3], 9);   // (r 0, c 1, s 0) is original (c 1, r 0, s 0)
  EXPECT_EQ(rs.permutation[9], 3);   // (r 1, c 0, s 0) is original (c 0, r 1, s 0)
  const AccumulationOrder tree = order_of(testing::func_arch("int8", "int8", "int32", "exact", Dataflow::AdderTree, 8, 4), l);
  ASSERT_EQ(tree.folds.size(), 4u);  // ceil(27 / 8) chunks of Tn = rows = 8 products
  EXPECT_TRUE(tree.folds[0].tree);
  EXPECT_EQ(tree.folds[0].segments.size(), 8u);
  EXPECT_EQ(tree.folds[3].segments.size(), 3u);
  EXPECT_EQ(tree.folds[3].segments[0].begin, 24);
  EXPECT_EQ(tree.folds[3].segments[0].end, 25);
  EXPECT_EQ(tree.name, "adder_tree(8)");
}

// A balanced adder tree over v: neighbours pairwise, level by level, an odd one moved up.
template <typename Add>
double tree(std::vector<double> v, Add add) {
  while (v.size() > 1) {
    std::vector<double> up;
    for (std::size_t i = 0; i < v.size(); i += 2) up.push_back(i + 1 < v.size() ? add(v[i], v[i + 1]) : v[i]);
    v = up;
  }
  return v.empty() ? 0.0 : v[0];
}

// Products of output (filter f, pixel i) in the original k order (c, r, s), padding as zero.
std::vector<double> products(const workload::Layer& l, const std::vector<double>& w,
                             const std::vector<double>& x, std::int64_t f, std::int64_t i) {
  std::vector<double> p;
  const std::int64_t e = i / 6, q = i % 6;
  for (std::int64_t c = 0; c < 3; ++c) {
    for (std::int64_t r = 0; r < 3; ++r) {
      for (std::int64_t s = 0; s < 3; ++s) {
        const std::int64_t y = e - 1 + r, z = q - 1 + s;
        const double a = (y < 0 || y >= 6 || z < 0 || z >= 6) ? 0.0 : x[static_cast<std::size_t>((c * 6 + y) * 6 + z)];
        p.push_back(w[static_cast<std::size_t>(((f * 3 + c) * 3 + r) * 3 + s)] * a);
      }
    }
  }
  (void)l;
  return p;
}

// The documented orders, written again with a generic "round into the accumulator" step.
template <typename Add>
double reference_sum(Dataflow d, int rows, const std::vector<double>& p, Add add) {
  if (d == Dataflow::OutputStationary) {
    double acc = 0;
    for (const double v : p) acc = add(acc, v);
    return acc;
  }
  if (d == Dataflow::RowStationary) {  // set_h = min(3, rows) filter rows per fold
    const int set_h = std::min(3, rows);
    double running = 0;
    for (int r0 = 0; r0 < 3; r0 += set_h) {
      double fold = 0;
      for (int r = r0; r < std::min(3, r0 + set_h); ++r) {
        double pe = 0;  // one filter row: channels x filter columns, from zero
        for (int c = 0; c < 3; ++c) {
          for (int s = 0; s < 3; ++s) pe = add(pe, p[static_cast<std::size_t>((c * 3 + r) * 3 + s)]);
        }
        fold = r == r0 ? pe : add(fold, pe);
      }
      running = add(running, fold);
    }
    return running;
  }
  if (d == Dataflow::AdderTree) {  // chunks of `rows` products, each an adder tree
    double running = 0;
    for (std::size_t b = 0; b < p.size(); b += static_cast<std::size_t>(rows)) {
      std::vector<double> leaves;  // products enter the tree at accumulator width
      for (std::size_t j = b; j < std::min(p.size(), b + static_cast<std::size_t>(rows)); ++j) leaves.push_back(add(0.0, p[j]));
      running = add(running, tree(leaves, add));
    }
    return running;
  }
  double running = 0;  // ws / is: folds of `rows` consecutive k, each a chain from zero
  for (std::size_t b = 0; b < p.size(); b += static_cast<std::size_t>(rows)) {
    double part = 0;
    for (std::size_t j = b; j < std::min(p.size(), b + static_cast<std::size_t>(rows)); ++j) part = add(part, p[j]);
    running = add(running, part);
  }
  return running;
}

struct Case {
  std::string weight, activation, accumulator;
};

class OrderCase : public ::testing::TestWithParam<Dataflow> {};

void check_order(Dataflow d, const Case& c, std::uint32_t seed, bool& differs_from_sequential) {
  const workload::Layer l = small_conv();
  const numerics::Format wf = numerics::Format::parse(c.weight);
  const numerics::Format af = numerics::Format::parse(c.activation);
  const numerics::Format accf = numerics::Format::parse(c.accumulator);
  std::mt19937 rng(seed);
  // Values that are exact codes of the operand formats (scale 1), so quantization is exact.
  const auto draw = [&](const numerics::Format& f) {
    while (true) {
      const double v = numerics::decode(f, static_cast<std::uint32_t>(rng()) & f.code_mask());
      // Floats: |v| <= 16 keeps fp16 sums finite (the test is about rounding, not inf).
      if (std::isfinite(v) && (f.is_integer_like() || std::fabs(v) <= 16)) return v;
    }
  };
  LayerParameters params;
  std::vector<double> w(4 * 27), x(3 * 36);
  for (double& v : w) {
    v = draw(wf);
    params.weights.push_back(static_cast<float>(v));
  }
  for (double& v : x) v = draw(af);
  std::uint64_t overflows = 0;
  const auto add = [&](double a, double b) {
    const double exact = a + b;  // exact in double for these formats
    const numerics::Encoded e = numerics::encode(accf, exact, numerics::Rounding::NearestEven,
                                                 numerics::default_overflow(accf));
    if (e.overflow && std::isfinite(exact)) ++overflows;
    return numerics::decode(accf, e.code);
  };
  const int rows = 4;
  const arch::ArchSpec a = testing::func_arch(c.weight, c.activation, c.accumulator, "exact", d, rows, rows);
  QuantizedLayer q(a, l, mapping::map_layer(a, l), params, false, 0, 0);
  std::vector<double> out(4 * 36), acc(4 * 36);
  ComputeCounts counts;
  q.run(x.data(), out.data(), acc.data(), counts);
  for (std::int64_t f = 0; f < 4; ++f) {
    for (std::int64_t i = 0; i < 36; ++i) {
      const std::vector<double> p = products(l, w, x, f, i);
      const double want = reference_sum(d, rows, p, add);
      const double got = acc[static_cast<std::size_t>(f * 36 + i)];
      ASSERT_TRUE(got == want || (std::isnan(got) && std::isnan(want))) << got << " vs " << want << " " << c.accumulator << " filter " << f << " pixel " << i;
      const std::uint64_t keep = overflows;  // the comparison below must not count
      if (reference_sum(Dataflow::OutputStationary, rows, p, add) != want) differs_from_sequential = true;
      overflows = keep;
    }
  }
  EXPECT_EQ(counts.overflowed_accumulations, overflows) << c.accumulator;
  EXPECT_FALSE(q.order_free());
}

TEST_P(OrderCase, SaturatingIntegerAccumulatorFollowsTheDocumentedOrder) {
  bool differs = false;
  for (std::uint32_t seed = 1; seed <= 3; ++seed) check_order(GetParam(), {"int8", "int8", "int12"}, seed, differs);
  if (GetParam() != Dataflow::OutputStationary) {
    EXPECT_TRUE(differs) << "the test cannot tell the orders apart";
  }
}

TEST_P(OrderCase, RoundingFloatAccumulatorFollowsTheDocumentedOrder) {
  bool differs = false;
  for (std::uint32_t seed = 1; seed <= 3; ++seed) check_order(GetParam(), {"fp8_e4m3", "fp8_e4m3", "fp16"}, seed, differs);
  if (GetParam() != Dataflow::OutputStationary) {
    EXPECT_TRUE(differs) << "the test cannot tell the orders apart";
  }
}

INSTANTIATE_TEST_SUITE_P(Dataflows, OrderCase,
                         ::testing::Values(Dataflow::OutputStationary, Dataflow::WeightStationary,
                                           Dataflow::InputStationary, Dataflow::RowStationary,
                                           Dataflow::AdderTree));

}  // namespace
}  // namespace qarch::func
