#pragma once
// Shape bookkeeping and the element-wise work of functional mode, shared by the quantized
// execution (double values) and the float32 reference (float values).
//
// Tensors are one sample, C x H x W in C order. A compute layer is `groups` products
// (m x k) . (k x n); GemmLayout says where each operand element comes from.

#include <cstdint>
#include <string>
#include <vector>

#include "workload/layer.hpp"

namespace qarch::func {

struct GemmLayout {
  std::int64_t groups = 1, m = 0, k = 0, n = 0;
  // gather[(g * m + i) * k + j]: the input element that is operand A[i][j] of group g, or -1
  // for padding. Empty when A is the input itself (fc: m = 1, k = all input elements).
  std::vector<std::int64_t> gather;
  // Output element of (group g, output channel c of the group, row i of A):
  // (g * n + c) * m + i.
  std::int64_t output_index(std::int64_t g, std::int64_t c, std::int64_t i) const {
    return (g * n + c) * m + i;
  }
};

// The layout of a conv2d, fc or matmul-with-weights layer for one sample (batch 1).
GemmLayout gemm_layout(const workload::Layer& layer);

// Reorders the k columns of every gather row: position p takes original column perm[p].
void permute_columns(std::vector<std::int64_t>& rows_by_k, std::int64_t k,
                     const std::vector<std::int64_t>& perm);

// One value of a layer without MACs. `in` and `in_b` are the producers' outputs.
template <typename T>
void run_vector_layer(const workload::Layer& layer, const T* in, const T* in_b, T* out);

// True when run_vector_layer can execute `layer` (else `why` says what is missing).
bool vector_layer_supported(const workload::Layer& layer, std::string& why);

}  // namespace qarch::func
