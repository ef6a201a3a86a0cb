#include "func/parameters.hpp"

#include <cmath>

#include "config/diagnostic.hpp"
#include "workload/npy_reader.hpp"

namespace qarch::func {

using workload::Layer;
using workload::LayerType;

namespace {

std::string shape_text(const std::vector<std::int64_t>& shape) {
  workload::NpyArray a;
  a.shape = shape;
  return a.shape_string();
}

}  // namespace

std::int64_t output_channels(const Layer& layer) {
  switch (layer.type) {
    case LayerType::Conv2d: return layer.filters;
    case LayerType::Fc:
    case LayerType::Matmul: return layer.out_features;
    default: return layer.output.c;  // a norm's gain and shift
  }
}

std::vector<std::int64_t> expected_weight_shape(const Layer& layer) {
  switch (layer.type) {
    case LayerType::Conv2d:
      return {layer.filters, layer.input.c / layer.groups, layer.kernel_h, layer.kernel_w};
    case LayerType::Fc: return {layer.out_features, layer.input.elements()};
    case LayerType::Matmul: return {layer.out_features, layer.input.c};
    case LayerType::Add: return {layer.input.c, layer.input.h, layer.input.w};  // the constant
    case LayerType::Activation: return {layer.output.c};                      // a norm's gain
    case LayerType::Embedding: return {layer.vocab, layer.out_features};
    default: return {};
  }
}

std::vector<LayerParameters> load_parameters(const workload::Network& network) {
  config::Diagnostics problems;
  std::vector<LayerParameters> params(network.layers.size());
  for (std::size_t i = 0; i < network.layers.size(); ++i) {
    const Layer& layer = network.layers[i];
    // Norms' gain and shift and an add's constant are optional; an embedding's table is not.
    const bool optional = !layer.has_weights() && layer.type != LayerType::Embedding;
    if (optional && layer.weights_file.empty() && layer.bias_file.empty()) continue;
    const std::vector<std::int64_t> w_shape = expected_weight_shape(layer);
    if (layer.weights_file.empty() && !optional) {
      problems.add(layer.where, "layers." + layer.name + ".weights",
                   "functional mode needs trained weights: give `weights:` a float32 .npy file of "
                   "shape " + shape_text(w_shape));
      continue;
    }
    // Problems are reported at the workload line that names the file, the file in the message.
    const auto read = [&](const char* key, const std::string& file, const std::vector<std::int64_t>& shape,
                          std::vector<float>& out) {
      const std::string key_path = "layers." + layer.name + "." + key;
      try {
        workload::NpyArray a = workload::read_npy(file);
        if (a.shape != shape) {
          problems.add(layer.where, key_path,
                       file + ": layer " + layer.name + " expects an array of shape " + shape_text(shape) +
                           ", the file holds " + a.shape_string());
          return;
        }
        for (const float v : a.data) {
          if (!std::isfinite(v)) {
            problems.add(layer.where, key_path, file + ": the array holds a NaN or infinity");
            return;
          }
        }
        out = std::move(a.data);
      } catch (const config::InputError& e) {
        for (const auto& d : e.diagnostics()) problems.add(layer.where, key_path, d.to_string());
      }
    };
    if (!layer.weights_file.empty()) read("weights", layer.weights_file, w_shape, params[i].weights);
    if (!layer.bias_file.empty()) read("bias", layer.bias_file, {output_channels(layer)}, params[i].bias);
  }
  problems.throw_if_any();
  return params;
}

}  // namespace qarch::func
