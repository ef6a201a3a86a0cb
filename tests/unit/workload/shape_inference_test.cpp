#include "workload/shape_inference.hpp"

#include <gtest/gtest.h>

#include "support/print_shape.hpp"

namespace qarch::workload {
namespace {

// Counts window positions one by one: the independent reference for window_output.
std::int64_t count_positions(std::int64_t in, std::int64_t pad_before, std::int64_t pad_after,
                             std::int64_t kernel, std::int64_t stride, std::int64_t dilation) {
  std::int64_t count = 0;
  for (std::int64_t start = -pad_before;; start += stride) {
    const std::int64_t last = start + dilation * (kernel - 1);
    if (last > in - 1 + pad_after) break;
    ++count;
  }
  return count;
}

TEST(WindowOutput, MatchesEnumerationOfWindowPositions) {
  for (std::int64_t in = 1; in <= 12; ++in)
    for (std::int64_t k = 1; k <= 5; ++k)
      for (std::int64_t s = 1; s <= 3; ++s)
        for (std::int64_t p = 0; p <= 2; ++p)
          for (std::int64_t d = 1; d <= 2; ++d) {
            EXPECT_EQ(window_output(in, p, p + (in % 2), k, s, d),
                      count_positions(in, p, p + (in % 2), k, s, d))
                << "in=" << in << " k=" << k << " s=" << s << " p=" << p << " d=" << d;
          }
}

TEST(ScaleSimOutput, UsesTheCeilingRule) {
  EXPECT_EQ(scalesim_output(230, 7, 2), 113);  // the example in scalesim-semantics.md
  EXPECT_EQ(window_output(230, 0, 0, 7, 2, 1), 112);
  EXPECT_EQ(scalesim_output(58, 3, 1), 56);
  EXPECT_EQ(scalesim_output(56, 1, 2), 29);  // one more than the usual 28
  EXPECT_EQ(scalesim_output(3, 5, 1), 0);
}

Layer conv(Shape in, std::int64_t filters, int k, int stride, int pad, std::int64_t groups = 1) {
  Layer l;
  l.type = LayerType::Conv2d;
  l.input = in;
  l.filters = filters;
  l.kernel_h = l.kernel_w = k;
  l.stride_h = l.stride_w = stride;
  l.pad_top = l.pad_bottom = l.pad_left = l.pad_right = pad;
  l.groups = groups;
  return l;
}

TEST(InferShape, ConvolutionGemmView) {
  Layer l = conv({3, 224, 224}, 64, 7, 2, 3);
  l.batch = 2;
  ASSERT_EQ(infer_shape(l), "");
  EXPECT_EQ(l.output, (Shape{64, 112, 112}));
  EXPECT_EQ(l.gemm.groups, 1);
  EXPECT_EQ(l.gemm.m, 2 * 112 * 112);
  EXPECT_EQ(l.gemm.k, 3 * 7 * 7);
  EXPECT_EQ(l.gemm.n, 64);
  EXPECT_EQ(l.macs(), 2LL * 112 * 112 * 147 * 64);
  EXPECT_EQ(l.weight_elements(), 64 * 3 * 7 * 7);
}

TEST(InferShape, DepthwiseConvolution) {
  Layer l = conv({32, 112, 112}, 32, 3, 1, 1, 32);
  ASSERT_EQ(infer_shape(l), "");
  EXPECT_EQ(l.gemm.groups, 32);
  EXPECT_EQ(l.gemm.k, 9);
  EXPECT_EQ(l.gemm.n, 1);
  EXPECT_EQ(l.macs(), 112LL * 112 * 9 * 32);
  EXPECT_EQ(l.weight_elements(), 32 * 9);
}

TEST(InferShape, ConvolutionErrors) {
  Layer bad_groups = conv({30, 8, 8}, 32, 3, 1, 1, 4);
  EXPECT_NE(infer_shape(bad_groups).find("groups (4) must divide the input channels (30)"), std::string::npos);
  Layer too_big = conv({3, 4, 4}, 8, 7, 1, 0);
  EXPECT_EQ(infer_shape(too_big), "the 7x7 kernel does not fit the 4x4 input");
  // The padded size is the input plus its padding (issue 22: it said "the padded 32x32").
  Layer padded = conv({3, 32, 32}, 8, 37, 1, 2);
  EXPECT_EQ(infer_shape(padded), "the 37x37 kernel does not fit the 32x32 input, padded to 36x36");
  Layer dilated = conv({3, 8, 8}, 8, 3, 1, 0);
  dilated.dilation_h = dilated.dilation_w = 4;
  EXPECT_EQ(infer_shape(dilated), "the 3x3 kernel (dilated to 9x9) does not fit the 8x8 input");
  // 10^6 x 10^6 1x1 filters: small activations, a 10^12-element weight tensor.
  Layer huge_weights = conv({1000000, 1, 1}, 1000000, 1, 1, 0);
  EXPECT_NE(infer_shape(huge_weights).find("weight tensor (elements) exceeds the limit"), std::string::npos)
      << infer_shape(huge_weights);
  Layer just_under = conv({262144, 1, 1}, 262144, 1, 1, 0);  // 2^36 weights: at the limit
  EXPECT_EQ(infer_shape(just_under), "");
}

TEST(InferShape, PoolingFcAddActivation) {
  Layer pool;
  pool.type = LayerType::MaxPool;
  pool.input = {64, 112, 112};
  pool.kernel_h = pool.kernel_w = 3;
  pool.stride_h = pool.stride_w = 2;
  pool.pad_top = pool.pad_bottom = pool.pad_left = pool.pad_right = 1;
  ASSERT_EQ(infer_shape(pool), "");
  EXPECT_EQ(pool.output, (Shape{64, 56, 56}));
  EXPECT_EQ(pool.macs(), 0);

  Layer fc;
  fc.type = LayerType::Fc;
  fc.input = {16, 5, 5};
  fc.out_features = 120;
  ASSERT_EQ(infer_shape(fc), "");
  EXPECT_EQ(fc.output, (Shape{120, 1, 1}));
  EXPECT_EQ(fc.macs(), 400 * 120);

  Layer add;
  add.type = LayerType::Add;
  add.input = {8, 4, 4};
  add.input_b = {8, 4, 5};
  EXPECT_NE(infer_shape(add).find("different shapes"), std::string::npos);
}

TEST(InferShape, AttentionMatmuls) {
  Layer scores;  // Q.K^T per head
  scores.type = LayerType::Matmul;
  scores.input = {768, 128, 1};
  scores.input_b = {768, 128, 1};
  scores.heads = 12;
  scores.transpose_b = true;
  ASSERT_EQ(infer_shape(scores), "");
  EXPECT_EQ(scores.output, (Shape{12 * 128, 128, 1}));
  EXPECT_EQ(scores.macs(), 12LL * 128 * 64 * 128);

  Layer context;  // softmax(scores).V per head
  context.type = LayerType::Matmul;
  context.input = scores.output;
  context.input_b = {768, 128, 1};
  context.heads = 12;
  ASSERT_EQ(infer_shape(context), "");
  EXPECT_EQ(context.output, (Shape{768, 128, 1}));
  EXPECT_EQ(context.macs(), 12LL * 128 * 128 * 64);

  Layer projection;
  projection.type = LayerType::Matmul;
  projection.input = {768, 128, 1};
  projection.out_features = 3072;
  ASSERT_EQ(infer_shape(projection), "");
  EXPECT_EQ(projection.output, (Shape{3072, 128, 1}));
  EXPECT_EQ(projection.weight_elements(), 768 * 3072);
}

TEST(InferShape, GroupedQueryAttentionSharesEachHeadOfB) {
  // Llama-style GQA: 32 query heads of 128 features over 8 cached K/V heads, one new token
  // against a 1000-token cache.
  Layer scores;
  scores.type = LayerType::Matmul;
  scores.input = {32 * 128, 1, 1};
  scores.input_b = {8 * 128, 1000, 1};
  scores.heads = 32;
  scores.kv_heads = 8;
  scores.transpose_b = true;
  ASSERT_EQ(infer_shape(scores), "");
  EXPECT_EQ(scores.output, (Shape{32 * 1000, 1, 1}));
  EXPECT_EQ(scores.macs(), 32LL * 1 * 128 * 1000);  // as many MACs as multi-head attention
  // One product per K/V head with the 4 query heads that share it stacked as rows: each cached
  // head is one operand, read once for its 4 query heads.
  EXPECT_EQ(scores.gemm.groups, 8);
  EXPECT_EQ(scores.gemm.m, 4);
  EXPECT_EQ(scores.gemm.k, 128);
  EXPECT_EQ(scores.gemm.n, 1000);

  Layer context;
  context.type = LayerType::Matmul;
  context.input = scores.output;
  context.input_b = {8 * 128, 1000, 1};
  context.heads = 32;
  context.kv_heads = 8;
  ASSERT_EQ(infer_shape(context), "");
  EXPECT_EQ(context.output, (Shape{32 * 128, 1, 1}));
  EXPECT_EQ(context.macs(), 32LL * 1000 * 128);
  EXPECT_EQ(context.gemm.groups, 8);

  context.input_b = {8 * 128 + 4, 1000, 1};  // channels that 8 heads do not divide
  EXPECT_NE(infer_shape(context).find("kv_heads (8)"), std::string::npos);
  scores.input_b = {8 * 64, 1000, 1};
  EXPECT_NE(infer_shape(scores).find("both operands need 128 channels per head; b has 64"), std::string::npos);
}

TEST(InferShape, AbsurdSizesAreRejectedWithoutOverflow) {
  Layer huge = conv({1 << 20, 1 << 20, 1 << 20}, 1 << 20, 1, 1, 0);
  EXPECT_NE(infer_shape(huge).find("exceeds the limit"), std::string::npos);
}

}  // namespace
}  // namespace qarch::workload
