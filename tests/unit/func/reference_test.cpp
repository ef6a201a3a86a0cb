// The float32 reference's SIMD lanes and run-based gathers (func/reference.hpp,
// func/gather_plan.hpp) against the plain loops they replace, bit for bit, on convolutions with
// padding, strides and groups whose lanes are rows or channels, and on fully connected layers.

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>

#include "func/gather_plan.hpp"
#include "func/layer_ops.hpp"
#include "func/reference.hpp"
#include "hwy/targets.h"

namespace qarch::func {
namespace {

TEST(GatherPlan, CopiesEveryElementAsAnIndexedGather) {
  std::mt19937 rng(7);
  for (int trial = 0; trial < 200; ++trial) {
    // Runs of random strides (0: padding, 1, 2, negative) and lengths, and isolated elements.
    std::vector<std::int64_t> src;
    const int source_size = 500;
    while (src.size() < 300) {
      const std::int64_t stride = static_cast<std::int64_t>(rng() % 4) - 1;
      const std::int64_t length = 1 + rng() % 20;
      std::int64_t at = 50 + rng() % 400;
      for (std::int64_t t = 0; t < length; ++t, at += stride) src.push_back(at);
    }
    std::vector<std::int64_t> dst(src.size());
    for (std::size_t i = 0; i < dst.size(); ++i) dst[i] = static_cast<std::int64_t>(i + i / 37 * 5);  // rows with gaps
    const GatherPlan plan(static_cast<std::int64_t>(src.size()), [&](std::int64_t i) { return dst[static_cast<std::size_t>(i)]; },
                          [&](std::int64_t i) { return src[static_cast<std::size_t>(i)]; });
    std::vector<float> in(source_size);
    for (float& v : in) v = static_cast<float>(rng() % 1000);
    std::vector<float> got(dst.back() + 1, -1.0f), want(got);
    plan.apply(in.data(), got.data());
    for (std::size_t i = 0; i < src.size(); ++i) want[static_cast<std::size_t>(dst[i])] = in[static_cast<std::size_t>(src[i])];
    ASSERT_EQ(got, want) << "trial " << trial;
    EXPECT_GT(plan.runs(), 0u);
    EXPECT_GT(plan.singles(), 0u);
  }
}

workload::Layer conv(std::int64_t channels, std::int64_t size, int kernel, std::int64_t filters, int stride,
                     int padding, std::int64_t groups) {
  workload::Layer l;
  l.name = "conv";
  l.type = workload::LayerType::Conv2d;
  l.input = {channels, size, size};
  l.kernel_h = l.kernel_w = kernel;
  l.stride_h = l.stride_w = stride;
  l.pad_top = l.pad_bottom = l.pad_left = l.pad_right = padding;
  l.groups = groups;
  l.filters = filters;
  const std::int64_t out = (size + 2 * padding - kernel) / stride + 1;
  l.output = {filters, out, out};
  l.gemm = {groups, out * out, channels / groups * kernel * kernel, filters / groups};
  l.inputs = {"input"};
  return l;
}

workload::Layer fc(std::int64_t in, std::int64_t out) {
  workload::Layer l;
  l.name = "fc";
  l.type = workload::LayerType::Fc;
  l.input = {in, 1, 1};
  l.out_features = out;
  l.output = {out, 1, 1};
  l.gemm = {1, 1, in, out};
  l.inputs = {"input"};
  return l;
}

// One layer as a network, through the SIMD lanes and through the scalar loops.
void expect_lanes_equal_scalar(const workload::Layer& layer, std::uint32_t seed, bool bias) {
  workload::Network net;
  net.input = layer.input;
  net.layers = {layer};
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<LayerParameters> params(1);
  params[0].weights.resize(static_cast<std::size_t>(layer.weight_elements()));
  for (float& w : params[0].weights) w = normal(rng);
  if (bias) {
    params[0].bias.resize(static_cast<std::size_t>(layer.gemm.groups * layer.gemm.n));
    for (float& b : params[0].bias) b = normal(rng);
  }
  std::vector<float> input(static_cast<std::size_t>(layer.input.elements()));
  for (float& x : input) x = normal(rng);
  const std::vector<GemmLayout> layouts = {gemm_layout(layer)};
  const std::vector<Producers> producers = find_producers(net);
  const ReferenceNetwork lanes(net, params, layouts, producers);
  ReferenceNetwork scalar(net, params, layouts, producers);
  scalar.use_scalar_loops();
  std::vector<std::vector<float>> got, want;
  lanes.run(input, got);
  scalar.run(input, want);
  ASSERT_EQ(got[0].size(), want[0].size());
  for (std::size_t o = 0; o < want[0].size(); ++o) {
    std::uint32_t a = 0, b = 0;
    std::memcpy(&a, &got[0][o], sizeof a);
    std::memcpy(&b, &want[0][o], sizeof b);
    ASSERT_EQ(a, b) << layer.name << " k " << layer.gemm.k << " output " << o << ": " << got[0][o] << " vs "
                    << want[0][o];
  }
}

void check_layers() {
  std::uint32_t seed = 1;
  for (const bool bias : {true, false}) {
    // Lanes over rows: stride 1 and 2, padding, 1x1, groups, k not a multiple of 4, channel
    // counts not a multiple of the block of 4.
    expect_lanes_equal_scalar(conv(1, 28, 3, 16, 1, 1, 1), seed++, bias);
    expect_lanes_equal_scalar(conv(3, 13, 3, 7, 2, 1, 1), seed++, bias);
    expect_lanes_equal_scalar(conv(6, 9, 1, 5, 2, 0, 1), seed++, bias);
    expect_lanes_equal_scalar(conv(4, 11, 5, 6, 1, 2, 2), seed++, bias);
    expect_lanes_equal_scalar(conv(8, 7, 3, 8, 1, 1, 8), seed++, bias);  // depthwise
    // Lanes over channels (m < n): a small map with many filters, and fully connected layers.
    expect_lanes_equal_scalar(conv(16, 4, 3, 37, 1, 1, 1), seed++, bias);
    expect_lanes_equal_scalar(conv(8, 5, 3, 32, 2, 1, 2), seed++, bias);
    expect_lanes_equal_scalar(fc(300, 37), seed++, bias);
    expect_lanes_equal_scalar(fc(7, 10), seed++, bias);
  }
}

// On every instruction set Highway compiled that this CPU runs.
TEST(ReferenceLanes, EqualTheScalarLoopsBitForBit) {
  for (const std::int64_t target : hwy::SupportedAndGeneratedTargets()) {
    SCOPED_TRACE(hwy::TargetName(target));
    hwy::SetSupportedTargetsForTest(target);
    check_layers();
  }
  hwy::SetSupportedTargetsForTest(0);
}

}  // namespace
}  // namespace qarch::func
