#include "func/reference.hpp"

#include <algorithm>

#include "func/simd_lane_chains.hpp"
#include "func/simd_reference_dots.hpp"

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
    : network_(network), params_(params), layouts_(layouts), producers_(producers), lanes_(layouts.size()) {
  const std::size_t pad = lane_chain_padding();  // float lanes are as many as int32 lanes
  for (std::size_t i = 0; i < layouts.size(); ++i) {
    const GemmLayout& g = layouts[i];
    if (network.layers[i].macs() == 0 || !g.b_gather.empty() || g.n < 1 || g.m < 1) continue;
    Lanes& l = lanes_[i];
    l.rows = g.m >= g.n;
    l.ld = (static_cast<std::size_t>(l.rows ? g.m : g.n) + pad - 1) / pad * pad;
    if (l.rows) continue;
    const auto k = static_cast<std::size_t>(g.k);
    const auto n = static_cast<std::size_t>(g.n);
    l.weights.assign(static_cast<std::size_t>(g.groups) * k * l.ld, 0.0f);
    l.biases.assign(static_cast<std::size_t>(g.groups) * l.ld, 0.0f);
    for (std::size_t c = 0; c < static_cast<std::size_t>(g.groups) * n; ++c) {
      const std::size_t grp = c / n, lane = c % n;
      for (std::size_t j = 0; j < k; ++j) l.weights[(grp * k + j) * l.ld + lane] = params[i].weights[c * k + j];
      l.biases[grp * l.ld + lane] = params[i].bias.empty() ? 0.0f : params[i].bias[c];
    }
  }
}

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
  if (lanes_[i].ld > 0) return compute_lanes(i, in, out);
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

void ReferenceNetwork::compute_lanes(std::size_t i, const float* in, float* out) const {
  const GemmLayout& g = layouts_[i];
  const LayerParameters& p = params_[i];
  const Lanes& l = lanes_[i];
  const auto k = static_cast<std::size_t>(g.k);
  const auto m = static_cast<std::size_t>(g.m);
  const auto n = static_cast<std::size_t>(g.n);
  const auto operand = [&](std::int64_t grp, std::size_t r, std::size_t j) {
    if (g.gather.empty()) return in[j];
    const std::int64_t src = g.gather[(static_cast<std::size_t>(grp) * m + r) * k + j];
    return src < 0 ? 0.0f : in[src];
  };
  lane_out_.resize(l.ld);
  for (std::int64_t grp = 0; grp < g.groups; ++grp) {
    const std::size_t first_channel = static_cast<std::size_t>(grp) * n;
    if (l.rows) {  // lane r: row r (transposed); the channel's weights broadcast
      lane_x_.assign(k * l.ld, 0.0f);
      for (std::size_t r = 0; r < m; ++r) {
        for (std::size_t j = 0; j < k; ++j) lane_x_[j * l.ld + r] = operand(grp, r, j);
      }
      for (std::size_t c = 0; c < n; ++c) {
        lane_bias_.assign(l.ld, p.bias.empty() ? 0.0f : p.bias[first_channel + c]);
        reference_lane_dots(lane_x_.data(), l.ld, m, p.weights.data() + (first_channel + c) * k, k,
                            lane_bias_.data(), lane_out_.data());
        for (std::size_t r = 0; r < m; ++r) {
          out[g.output_index(grp, static_cast<std::int64_t>(c), static_cast<std::int64_t>(r))] = lane_out_[r];
        }
      }
      continue;
    }
    // lane c: channel c of the group (weights transposed once); the row broadcast.
    for (std::size_t r = 0; r < m; ++r) {
      for (std::size_t j = 0; j < k; ++j) row_[j] = operand(grp, r, j);
      reference_lane_dots(l.weights.data() + static_cast<std::size_t>(grp) * k * l.ld, l.ld, n, row_.data(), k,
                          l.biases.data() + static_cast<std::size_t>(grp) * l.ld, lane_out_.data());
      for (std::size_t c = 0; c < n; ++c) {
        out[g.output_index(grp, static_cast<std::int64_t>(c), static_cast<std::int64_t>(r))] = lane_out_[c];
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
