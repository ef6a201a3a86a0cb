#include "workload/layer.hpp"

namespace qarch::workload {

std::string_view to_string(LayerType type) { return config::name_in(kLayerTypeNames, type); }

std::string Shape::to_string() const {
  return std::to_string(c) + "x" + std::to_string(h) + "x" + std::to_string(w);
}

bool Layer::has_weights() const {
  switch (type) {
    case LayerType::Conv2d:
    case LayerType::Fc: return true;
    case LayerType::Matmul: return out_features > 0;
    default: return false;
  }
}

std::int64_t Layer::weight_elements() const {
  switch (type) {
    case LayerType::Conv2d: return filters * (input.c / groups) * kernel_h * kernel_w;
    case LayerType::Fc: return input.elements() * out_features;
    case LayerType::Matmul: return out_features > 0 ? input.c * out_features : 0;
    default: return 0;
  }
}

std::int64_t Layer::input_elements() const {
  if (type == LayerType::Embedding) return batch * (input.elements() + output.elements());
  return batch * (input.elements() + input_b.elements());
}

}  // namespace qarch::workload
