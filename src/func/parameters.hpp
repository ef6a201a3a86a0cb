#pragma once
// The trained parameters of a network's compute layers, read from the .npy files its workload
// names (docs/workloads.md, `weights` and `bias`), in PyTorch layouts:
// conv2d weights (filters, channels / groups, kernel_h, kernel_w), fc weights (out_features,
// input elements flattened C x H x W), matmul weights (out_features, K); biases
// (out channels,). A missing bias is zero. Layernorm and rmsnorm take an optional gain
// (`weights`, channels,) and shift (`bias`); an add with one input its constant (C, H, W); an
// embedding its table (vocab, dim).

#include <cstdint>
#include <vector>

#include "workload/network.hpp"

namespace qarch::func {

struct LayerParameters {
  std::vector<float> weights;  // empty for layers without weights
  std::vector<float> bias;     // empty when the layer has none (zeros)
};

// The shapes the .npy files of `layer` must have.
std::vector<std::int64_t> expected_weight_shape(const workload::Layer& layer);
std::int64_t output_channels(const workload::Layer& layer);  // filters or out_features

// Reads the parameters of every compute layer (parallel to network.layers). Throws
// config::InputError listing every missing file and wrong shape or dtype, each naming the file
// (or the layer) and the expected shape.
std::vector<LayerParameters> load_parameters(const workload::Network& network);

}  // namespace qarch::func
