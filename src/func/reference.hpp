#pragma once
// The float32 execution of a network, the reference functional mode compares against (SQNR,
// reference top-1) and calibrates activation scales with. Plain float arithmetic on the
// unquantized weights; its summation order is its own (4 interleaved partial sums), so it
// equals PyTorch's float32 forward up to float rounding, not bit for bit.

#include <cstdint>
#include <vector>

#include "func/gather_plan.hpp"
#include "func/layer_ops.hpp"
#include "func/parameters.hpp"
#include "workload/network.hpp"

namespace qarch::func {

// Index of each layer's producers in network.layers; -1 is the network input.
struct Producers {
  int a = -1;
  int b = -1;
};

std::vector<Producers> find_producers(const workload::Network& network);

class ReferenceNetwork {
 public:
  // Keeps references to its arguments, which must outlive it. layouts[i] is used for compute
  // layers (unpermuted gathers).
  ReferenceNetwork(const workload::Network& network, const std::vector<LayerParameters>& params,
                   const std::vector<GemmLayout>& layouts, const std::vector<Producers>& producers);

  // Runs one sample; values[i] becomes layer i's output.
  void run(const std::vector<float>& input, std::vector<std::vector<float>>& values) const;

  // Computes every dot product in the scalar loop from now on: what the SIMD lanes are tested
  // against (tests/unit/func/reference_test.cpp).
  void use_scalar_loops() { lanes_.assign(lanes_.size(), Lanes{}); }

 private:
  // in_b: the second operand of a matmul of two activations (else unused).
  void compute_layer(std::size_t i, const float* in, const float* in_b, float* out) const;
  void compute_lanes(std::size_t i, const float* in, float* out) const;

  const workload::Network& network_;
  const std::vector<LayerParameters>& params_;
  const std::vector<GemmLayout>& layouts_;
  const std::vector<Producers>& producers_;
  // Compute layers with weights run in SIMD lanes (simd_reference_dots.hpp): over rows when
  // m >= n (the rows transposed per sample), else over channels (the weights transposed once).
  struct Lanes {
    bool rows = true;
    std::size_t ld = 0;           // padded lane count
    std::vector<float> weights;   // lanes over channels: per group, k x ld
    std::vector<float> biases;    // lanes over channels: per group, ld
    // Per group, the gather as runs (padding reads the zero after the input): lanes over
    // rows into k x ld (transposed), lanes over channels into m x k. Empty: no gather.
    std::vector<GatherPlan> gathers;
  };
  std::vector<Lanes> lanes_;
  mutable std::vector<float> row_;
  mutable std::vector<float> b_weights_;  // a second activation operand as weights
  mutable std::vector<float> padded_in_, lane_x_, lane_out_;
};

}  // namespace qarch::func
