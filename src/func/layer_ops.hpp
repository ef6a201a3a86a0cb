#pragma once
// Shape bookkeeping and the element-wise work of functional mode, shared by the quantized
// execution (double values) and the float32 reference (float values).
//
// Tensors are one sample, C x H x W in C order. A compute layer is `groups` products
// (m x k) . (k x n); GemmLayout says where each operand element comes from.

#include <cstdint>
#include <string>
#include <vector>

#include "func/parameters.hpp"
#include "func/vector_format.hpp"
#include "workload/layer.hpp"

namespace qarch::func {

struct GemmLayout {
  std::int64_t groups = 1, m = 0, k = 0, n = 0;
  // gather[(g * m + i) * k + j]: the input element that is operand A[i][j] of group g, or -1
  // for padding. Empty when A is the input itself (fc: m = 1, k = all input elements).
  std::vector<std::int64_t> gather;
  // A matmul of two activations: b_gather[(g * n + c) * k + j] is the element of the second
  // operand that plays weight W[c][j] of group g. Empty when the weights are parameters.
  std::vector<std::int64_t> b_gather;
  // Output element of (group g, output channel c of the group, row i of A):
  // (g * n + c) * m + i, or scatter[that] when scatter is not empty (heads sharing a group of
  // b stack their rows; the output keeps one slice of channels per head).
  std::vector<std::int64_t> scatter;
  std::int64_t output_index(std::int64_t g, std::int64_t c, std::int64_t i) const {
    const std::int64_t o = (g * n + c) * m + i;
    return scatter.empty() ? o : scatter[static_cast<std::size_t>(o)];
  }
};

// The layout of a conv2d, fc or matmul layer (with weights or of two activations) for one
// sample (batch 1).
GemmLayout gemm_layout(const workload::Layer& layer);

// Reorders the k columns of every gather row: position p takes original column perm[p].
void permute_columns(std::vector<std::int64_t>& rows_by_k, std::int64_t k,
                     const std::vector<std::int64_t>& perm);

// One sample of a layer without MACs on the vector unit. `in` and `in_b` are the producers'
// outputs (`in_b` null for one-operand layers); `params` holds a norm's gain and shift, an
// add's constant or an embedding's table (the float32 reference's lookup; the quantized run
// uses EmbeddingTable). Every value read and every operation's result is rounded by `format`
// (docs/functional.md, "Vector unit"); without one, T's own arithmetic (the float32 reference).
template <typename T>
void run_vector_layer(const workload::Layer& layer, const LayerParameters& params, const T* in, const T* in_b,
                      T* out, const VectorFormat* format = nullptr);


}  // namespace qarch::func
