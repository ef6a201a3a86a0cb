#include "func/reference.hpp"

namespace qarch::func {

std::vector<Producers> find_producers(const workload::Network& network) {
  std::vector<Producers> out(network.layers.size());
  const auto index_of = [&](const std::string& name) {
    for (std::size_t j = 0; j < network.layers.size(); ++j) {
      if (network.layers[j].name == name) return static_cast<int>(j);
    }
    return -1;  // "input"
  };
  for (std::size_t i = 0; i < network.layers.size(); ++i) {
    const auto& inputs = network.layers[i].inputs;
    if (!inputs.empty()) out[i].a = index_of(inputs[0]);
    if (inputs.size() > 1) out[i].b = index_of(inputs[1]);
  }
  return out;
}

ReferenceNetwork::ReferenceNetwork(const workload::Network& network,
                                   const std::vector<LayerParameters>& params,
                                   const std::vector<GemmLayout>& layouts,
                                   const std::vector<Producers>& producers)
    : network_(network), params_(params), layouts_(layouts), producers_(producers) {}

void ReferenceNetwork::compute_layer(std::size_t i, const float* in, const float* in_b, float* out) const {
  const GemmLayout& g = layouts_[i];
  const LayerParameters& p = params_[i];
  const float* weights = p.weights.data();
  if (!g.b_gather.empty()) {
    b_weights_.resize(g.b_gather.size());
    for (std::size_t j = 0; j < g.b_gather.size(); ++j) b_weights_[j] = in_b[g.b_gather[j]];
    weights = b_weights_.data();
  }
  row_.resize(static_cast<std::size_t>(g.k));
  for (std::int64_t grp = 0; grp < g.groups; ++grp) {
    for (std::int64_t r = 0; r < g.m; ++r) {
      const float* a = in;
      if (!g.gather.empty()) {
        const std::int64_t* src = g.gather.data() + (grp * g.m + r) * g.k;
        for (std::int64_t j = 0; j < g.k; ++j) row_[static_cast<std::size_t>(j)] = src[j] < 0 ? 0.0f : in[src[j]];
        a = row_.data();
      }
      for (std::int64_t c = 0; c < g.n; ++c) {
        const std::int64_t channel = grp * g.n + c;
        const float* w = weights + channel * g.k;
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        std::int64_t j = 0;
        for (; j + 4 <= g.k; j += 4) {
          s0 += w[j] * a[j];
          s1 += w[j + 1] * a[j + 1];
          s2 += w[j + 2] * a[j + 2];
          s3 += w[j + 3] * a[j + 3];
        }
        for (; j < g.k; ++j) s0 += w[j] * a[j];
        const float bias = p.bias.empty() ? 0.0f : p.bias[static_cast<std::size_t>(channel)];
        out[g.output_index(grp, c, r)] = ((s0 + s1) + (s2 + s3)) + bias;
      }
    }
  }
}

void ReferenceNetwork::run(const std::vector<float>& input,
                           std::vector<std::vector<float>>& values) const {
  values.resize(network_.layers.size());
  for (std::size_t i = 0; i < network_.layers.size(); ++i) {
    const workload::Layer& layer = network_.layers[i];
    const auto source = [&](int p) { return p < 0 ? input.data() : values[static_cast<std::size_t>(p)].data(); };
    values[i].resize(static_cast<std::size_t>(layer.output.elements()));
    const float* a = source(producers_[i].a);
    const float* b = layer.inputs.size() > 1 ? source(producers_[i].b) : nullptr;
    if (layer.macs() > 0) {
      compute_layer(i, a, b, values[i].data());
    } else {
      run_vector_layer<float>(layer, params_[i], a, b, values[i].data());
    }
  }
}

}  // namespace qarch::func
