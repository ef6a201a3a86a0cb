#include "workload/shape_inference.hpp"

namespace qarch::workload {
namespace {

std::string too_large(const char* what, std::int64_t limit) {
  return std::string(what) + " exceeds the limit of " + std::to_string(limit);
}

// Product of positive factors, or -1 when it exceeds `limit` (no overflow).
std::int64_t bounded_product(std::initializer_list<std::int64_t> factors, std::int64_t limit) {
  long double product = 1;
  std::int64_t exact = 1;
  for (const std::int64_t f : factors) {
    product *= static_cast<long double>(f);
    if (product > static_cast<long double>(limit)) return -1;
    exact *= f;
  }
  return exact;
}

// "the 37x37 kernel does not fit the 32x32 input, padded to 36x36": the sizes that are compared
// (a dilated kernel by the extent it covers).
std::string does_not_fit(const Layer& l, const char* what, std::int64_t dilation_h, std::int64_t dilation_w) {
  const auto size = [](std::int64_t h, std::int64_t w) { return std::to_string(h) + "x" + std::to_string(w); };
  std::string text = "the " + size(l.kernel_h, l.kernel_w) + " " + what;
  if (dilation_h > 1 || dilation_w > 1) {
    text += " (dilated to " + size((l.kernel_h - 1) * dilation_h + 1, (l.kernel_w - 1) * dilation_w + 1) + ")";
  }
  text += " does not fit the " + size(l.input.h, l.input.w) + " input";
  const std::int64_t ph = l.input.h + l.pad_top + l.pad_bottom, pw = l.input.w + l.pad_left + l.pad_right;
  if (ph != l.input.h || pw != l.input.w) text += ", padded to " + size(ph, pw);
  return text;
}

std::string infer_conv(Layer& l) {
  if (l.input.c % l.groups != 0) {
    return "groups (" + std::to_string(l.groups) + ") must divide the input channels (" +
           std::to_string(l.input.c) + ")";
  }
  if (l.filters % l.groups != 0) {
    return "groups (" + std::to_string(l.groups) + ") must divide filters (" +
           std::to_string(l.filters) + ")";
  }
  const std::int64_t e = window_output(l.input.h, l.pad_top, l.pad_bottom, l.kernel_h, l.stride_h, l.dilation_h);
  const std::int64_t f = window_output(l.input.w, l.pad_left, l.pad_right, l.kernel_w, l.stride_w, l.dilation_w);
  if (e < 1 || f < 1) {
    return does_not_fit(l, "kernel", l.dilation_h, l.dilation_w);
  }
  l.output = Shape{l.filters, e, f};
  l.gemm = Gemm{l.groups, l.batch * e * f, (l.input.c / l.groups) * l.kernel_h * l.kernel_w,
                l.filters / l.groups};
  return {};
}

std::string infer_pool(Layer& l) {
  const std::int64_t e = window_output(l.input.h, l.pad_top, l.pad_bottom, l.kernel_h, l.stride_h, 1);
  const std::int64_t f = window_output(l.input.w, l.pad_left, l.pad_right, l.kernel_w, l.stride_w, 1);
  if (e < 1 || f < 1) {
    return does_not_fit(l, "window", 1, 1);
  }
  if (l.pad_top >= l.kernel_h || l.pad_bottom >= l.kernel_h || l.pad_left >= l.kernel_w ||
      l.pad_right >= l.kernel_w) {
    return "padding must be smaller than the pooling window";
  }
  l.output = Shape{l.input.c, e, f};
  l.gemm = Gemm{};
  return {};
}

std::string infer_matmul(Layer& l) {
  if (l.out_features > 0) {  // a weight matrix applied to every token
    // A C x H x W feature map is H W tokens of C features (a vision transformer's patches).
    const std::int64_t tokens = l.input.h * l.input.w;
    l.output = Shape{l.out_features, tokens, 1};
    l.gemm = Gemm{1, l.batch * tokens, l.input.c, l.out_features};
    return {};
  }
  const Shape& a = l.input;
  const Shape& b = l.input_b;
  if (a.w != 1 || b.w != 1) {
    return "matmul operands must be token sequences (channels x tokens x 1), got " + a.to_string() +
           " and " + b.to_string();
  }
  const std::int64_t kv = l.kv_heads > 0 ? l.kv_heads : l.heads;  // heads of b
  if (a.c % l.heads != 0 || b.c % kv != 0) {
    return "heads (" + std::to_string(l.heads) + ") must divide the first operand's channels (" +
           std::to_string(a.c) + ") and kv_heads (" + std::to_string(kv) + ") b's (" + std::to_string(b.c) + ")";
  }
  const std::int64_t m = a.h;
  const std::int64_t k = a.c / l.heads;
  std::int64_t n = 0;
  if (l.transpose_b) {
    if (b.c / kv != k) {
      return "with transpose_b, both operands need " + std::to_string(k) +
             " channels per head; b has " + std::to_string(b.c / kv);
    }
    n = b.h;
  } else {
    if (b.h != k) {
      return "the first operand has " + std::to_string(k) + " channels per head, so b needs " +
             std::to_string(k) + " tokens; it has " + std::to_string(b.h);
    }
    n = b.c / kv;
  }
  l.output = Shape{l.heads * n, m, 1};
  // The heads that share one head of b stack their rows: one product per head of b, with
  // heads / kv_heads times the rows, so b is read once for all of them.
  l.gemm = Gemm{l.batch * kv, m * (l.heads / kv), k, n};
  return {};
}

}  // namespace

std::int64_t window_output(std::int64_t in, std::int64_t pad_before, std::int64_t pad_after,
                           std::int64_t kernel, std::int64_t stride, std::int64_t dilation) {
  const std::int64_t span = dilation * (kernel - 1) + 1;
  const std::int64_t room = in + pad_before + pad_after - span;
  if (room < 0) return 0;
  return room / stride + 1;
}

std::int64_t scalesim_output(std::int64_t in, std::int64_t kernel, std::int64_t stride) {
  const std::int64_t numerator = in - kernel + stride;
  if (numerator <= 0) return 0;
  return (numerator + stride - 1) / stride;
}

std::string infer_shape(Layer& l) {
  std::string problem;
  switch (l.type) {
    case LayerType::Conv2d: problem = infer_conv(l); break;
    case LayerType::MaxPool:
    case LayerType::AvgPool: problem = infer_pool(l); break;
    case LayerType::Matmul: problem = infer_matmul(l); break;
    case LayerType::Fc:
      l.output = Shape{l.out_features, 1, 1};
      l.gemm = Gemm{1, l.batch, l.input.elements(), l.out_features};
      break;
    case LayerType::Add:
      if (l.inputs.size() == 1) l.input_b = l.input;  // plus a constant tensor of its shape
      // Element-wise, position by position: a C x H x W feature map and the C x (H W) x 1 token
      // sequence made of it (a matmul's output) hold their elements in the same order.
      if (l.input.c != l.input_b.c || l.input.h * l.input.w != l.input_b.h * l.input_b.w) {
        problem = "inputs have different shapes: " + l.input.to_string() + " and " +
                  l.input_b.to_string();
      }
      l.output = l.input;
      l.gemm = Gemm{};
      break;
    case LayerType::Embedding:  // one row of the table per token id
      if (l.input.c != 1 || l.input.w != 1) {
        problem = "an embedding reads one token id per position (1 x tokens x 1), got " + l.input.to_string();
      }
      l.output = Shape{l.out_features, l.input.h, 1};
      l.gemm = Gemm{};
      break;
    case LayerType::Activation:
      l.output = l.input;
      l.gemm = Gemm{};
      if (l.function == "rope") {
        const std::int64_t slice = l.input.c / l.heads;
        if (l.input.w != 1 || l.input.c % l.heads != 0 || slice % 2 != 0) {
          problem = "rope rotates channel pairs of each head at every token: it needs a token sequence "
                    "(channels x tokens x 1) whose channels split into " + std::to_string(l.heads) +
                    " heads of an even size; got " + l.input.to_string();
        }
      }
      if (l.function == "swiglu") {  // silu(gate) x up over the two halves of the channels
        if (l.input.c % 2 != 0) {
          problem = "swiglu gates one half of the channels by the other, so it needs an even number; got " +
                    l.input.to_string();
        }
        l.output.c = l.input.c / 2;
      }
      break;
  }
  if (!problem.empty()) return problem;
  return check_limits(l);
}

std::string check_limits(const Layer& l) {
  if (l.output.c > kMaxDimension || l.output.h > kMaxDimension || l.output.w > kMaxDimension) {
    return "output shape " + l.output.to_string() + " has a dimension above " +
           std::to_string(kMaxDimension);
  }
  for (const Shape& s : {l.input, l.input_b, l.output}) {
    if (bounded_product({l.batch, s.c, s.h, s.w}, kMaxTensorElements) < 0) {
      return too_large("a tensor of this layer (elements, whole batch)", kMaxTensorElements);
    }
  }
  // The weight tensor (groups x k x n of a layer with weights) is a tensor too.
  const bool has_weights = l.type == LayerType::Conv2d || l.type == LayerType::Fc ||
                           (l.type == LayerType::Matmul && l.out_features > 0);
  if (has_weights && l.gemm.groups > 0 &&
      bounded_product({l.gemm.groups, l.gemm.k, l.gemm.n}, kMaxTensorElements) < 0) {
    return too_large("the layer's weight tensor (elements)", kMaxTensorElements);
  }
  if (l.gemm.groups > 0 &&
      bounded_product({l.gemm.groups, l.gemm.m, l.gemm.k, l.gemm.n}, kMaxLayerMacs) < 0) {
    return too_large("the layer's multiply-accumulates", kMaxLayerMacs);
  }
  return {};
}

}  // namespace qarch::workload
