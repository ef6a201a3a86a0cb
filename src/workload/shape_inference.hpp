#pragma once
// Output shapes and GEMM views of layers, from their parameters and input shapes. Pure
// functions, shared by the YAML and CSV loaders and testable on their own.

#include <cstdint>
#include <string>

#include "workload/layer.hpp"

namespace qarch::workload {

// Sizes beyond these are rejected before anything is allocated or multiplied out.
constexpr std::int64_t kMaxDimension = 1 << 20;          // channels, height, width, features
constexpr std::int64_t kMaxTensorElements = 1LL << 36;   // per tensor, whole batch
constexpr std::int64_t kMaxLayerMacs = 1LL << 50;

// Output extent of a sliding window: floor((in + pads - dilation*(kernel-1) - 1) / stride) + 1,
// or a value < 1 when the window does not fit.
std::int64_t window_output(std::int64_t in, std::int64_t pad_before, std::int64_t pad_after,
                           std::int64_t kernel, std::int64_t stride, std::int64_t dilation);

// SCALE-Sim v2's rule: ceil((in - kernel + stride) / stride).
std::int64_t scalesim_output(std::int64_t in, std::int64_t kernel, std::int64_t stride);

// Fills `layer.output` and `layer.gemm` from the layer's parameters and `layer.input` /
// `layer.input_b`. Returns an empty string on success, or what is wrong (one sentence).
std::string infer_shape(Layer& layer);

// The size limits above, for a layer whose shapes are already set.
std::string check_limits(const Layer& layer);

// Most layers a network may have (a SCALE-Sim "DP" row expands into one layer per channel).
constexpr std::size_t kMaxLayers = 100000;

}  // namespace qarch::workload
