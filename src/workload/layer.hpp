#pragma once
// One layer of a network, with every shape resolved. Layers are plain data: loaders fill them,
// mapping/sim/func read them.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/diagnostic.hpp"
#include "config/name_table.hpp"
#include "numerics/format.hpp"
#include "numerics/multiplier.hpp"

namespace qarch::workload {

enum class LayerType { Conv2d, Fc, Matmul, MaxPool, AvgPool, Add, Activation, Embedding };

// The network YAML's and the reports' spelling of each type.
inline constexpr config::NameTable<LayerType, 8> kLayerTypeNames{{{LayerType::Conv2d, "conv2d"},
                                                                  {LayerType::Fc, "fc"},
                                                                  {LayerType::Matmul, "matmul"},
                                                                  {LayerType::MaxPool, "maxpool"},
                                                                  {LayerType::AvgPool, "avgpool"},
                                                                  {LayerType::Add, "add"},
                                                                  {LayerType::Activation, "activation"},
                                                                  {LayerType::Embedding, "embedding"}}};

std::string_view to_string(LayerType type);  // kLayerTypeNames

// The tensor of one sample: channels x height x width. Token sequences (transformers) use
// height = tokens, width = 1, channels = features.
struct Shape {
  std::int64_t c = 0;
  std::int64_t h = 0;
  std::int64_t w = 0;

  std::int64_t elements() const { return c * h * w; }
  std::string to_string() const;  // "3x224x224"
  bool operator==(const Shape& other) const { return c == other.c && h == other.h && w == other.w; }
  bool operator!=(const Shape& other) const { return !(*this == other); }
};

// A compute layer as `groups` independent matrix products (m x k) . (k x n), batch included in m.
// conv2d: m = batch * E * F output pixels, k = (C / groups) * R * S window, n = filters / groups.
// fc: m = batch, k = input features, n = out_features. SCALE-Sim calls m, k, n "N", "T", "M".
struct Gemm {
  std::int64_t groups = 0;
  std::int64_t m = 0;
  std::int64_t k = 0;
  std::int64_t n = 0;

  std::int64_t macs() const { return groups * m * k * n; }
};

// Per-layer overrides of the architecture's PE formats and style (mixed precision). Empty
// fields take the architecture's value.
struct LayerQuantization {
  std::optional<numerics::Format> weight_format;
  std::optional<numerics::Format> activation_format;
  std::optional<numerics::Format> accumulator_format;
  std::optional<numerics::MultiplierStyle> multiplier;
  // Fixed quantization scales (value = scale x decoded code), e.g. from an ONNX QDQ pair; when
  // empty, functional mode calibrates them (docs/numerics.md).
  std::optional<double> weight_scale;
  std::optional<double> activation_scale;
};

struct Layer {
  std::string name;
  LayerType type = LayerType::Conv2d;
  config::Location where;  // where the layer was declared, for messages

  // Producers of the operands, by layer name; "input" is the network input. Element-wise add
  // and activation-by-activation matmul have two.
  std::vector<std::string> inputs;
  Shape input;     // first operand, per sample
  Shape input_b;   // second operand (add, matmul with `b`), per sample; zero otherwise
  Shape output;    // per sample
  std::int64_t batch = 1;

  // conv2d and pooling
  int kernel_h = 1, kernel_w = 1;
  int stride_h = 1, stride_w = 1;
  int pad_top = 0, pad_bottom = 0, pad_left = 0, pad_right = 0;
  int dilation_h = 1, dilation_w = 1;
  std::int64_t groups = 1;
  std::int64_t filters = 0;  // conv2d output channels

  // fc / matmul
  std::int64_t out_features = 0;  // fc, and matmul against weights; embedding: the row length
  // embedding: rows of the table. Its input holds one token id per position (1 x T x 1); its
  // output is the ids' rows, out_features x T x 1.
  std::int64_t vocab = 0;
  std::int64_t heads = 1;         // matmul between activations, split into heads; softmax's slices
  // Grouped-query attention: b has kv_heads heads, each shared by heads / kv_heads heads of the
  // first operand (multi-query: 1). 0: as many as heads (b is not shared).
  std::int64_t kv_heads = 0;
  bool transpose_b = false;       // matmul: multiply by B^T (attention scores Q.K^T)

  // activation: relu, relu6, gelu, sigmoid, tanh, softmax, layernorm, rmsnorm, silu, swiglu, rope
  std::string function;
  // softmax: each of `heads` equal slices of the channels is normalized on its own (attention
  // scores: heads x keys channels, one position per query); with `causal`, query i of m sees
  // keys 0 .. i + (keys - m) only (the others count as -infinity).
  bool causal = false;
  // rope: rotates each of `heads` equal slices of the channels at position t, channel pairs
  // (i, i + d/2) of a slice of d by the angle t x rope_theta^(-2i/d) (docs/functional.md).
  double rope_theta = 10000;

  // Trained parameters for functional mode: NumPy .npy float32 files, resolved to paths that
  // exist (relative paths in the YAML are relative to the workload file). Empty when absent.
  // Layernorm / rmsnorm: gain (weights) and shift (bias) per channel; an add with one input
  // adds the constant tensor `weights` (a learned position embedding); an embedding's table is
  // `weights` (vocab, out_features).
  std::string weights_file;
  std::string bias_file;

  Gemm gemm;  // zero groups for layers without multiply-accumulates
  LayerQuantization quantization;

  bool has_weights() const;  // conv2d, fc, matmul with out_features
  std::int64_t macs() const { return gemm.macs(); }
  // Element counts for the whole batch (weights are shared by the batch).
  std::int64_t weight_elements() const;
  // Both operands for add / activation-matmul; an embedding's ids and the rows it gathers.
  std::int64_t input_elements() const;
  std::int64_t output_elements() const { return batch * output.elements(); }
};

}  // namespace qarch::workload
