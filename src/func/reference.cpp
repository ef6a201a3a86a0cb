#include "func/reference.hpp"

#include <algorithm>
#include <limits>

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
    const std::int64_t elements = network.layers[i].input.elements();
    if (network.layers[i].macs() == 0 || !g.b_gather.empty() || g.n < 1 || g.m < 1 ||
        elements >= std::numeric_limits<std::int32_t>::max()) {
      continue;
    }
    Lanes& l = lanes_[i];
    l.rows = g.m >= g.n;
    l.ld = (static_cast<std::size_t>(l.rows ? g.m : g.n) + pad - 1) / pad * pad;
    const auto k = static_cast<std::size_t>(g.k);
    const auto m = static_cast<std::size_t>(g.m);
    const auto n = static_cast<std::size_t>(g.n);
    const auto groups = static_cast<std::size_t>(g.groups);
    for (std::size_t grp = 0; grp < groups && (l.rows || !g.gather.empty()); ++grp) {
      const auto mk = static_cast<std::int64_t>(m * k);
      const std::size_t ld = l.ld;
      const bool rows = l.rows;
      l.gathers.emplace_back(
          mk,
          [&](std::int64_t e) {  // element e in destination order: j-major over rows, else r-major
            const auto u = static_cast<std::size_t>(e);
            return static_cast<std::int64_t>(rows ? u / m * ld + u % m : u);
          },
          [&](std::int64_t e) {
            const auto u = static_cast<std::size_t>(e);
            const std::size_t at = rows ? u % m * k + u / m : u;  // (r, j) -> r * k + j
            const std::int64_t src = g.gather.empty() ? static_cast<std::int64_t>(at) : g.gather[grp * m * k + at];
            return src < 0 ? elements : src;
          });
    }
    if (l.rows) continue;
    l.weights.assign(groups * k * l.ld, 0.0f);
    l.biases.assign(groups * l.ld, 0.0f);
    for (std::size_t c = 0; c < groups * n; ++c) {
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
  // The input and a zero for padding to read.
  const auto elements = static_cast<std::size_t>(network_.layers[i].input.elements());
  padded_in_.resize(elements + 1);
  std::copy(in, in + elements, padded_in_.begin());
  padded_in_[elements] = 0.0f;
  for (std::int64_t grp = 0; grp < g.groups; ++grp) {
    const auto group = static_cast<std::size_t>(grp);
    const std::size_t first_channel = group * n;
    if (l.rows) {  // lane r: row r (transposed); each channel's weights broadcast
      lane_x_.resize(k * l.ld);
      l.gathers[group].apply(padded_in_.data(), lane_x_.data());
      for (std::size_t j = 0; j < k; ++j) {  // lanes past m add zeros and are dropped
        std::fill(lane_x_.begin() + static_cast<std::ptrdiff_t>(j * l.ld + m),
                  lane_x_.begin() + static_cast<std::ptrdiff_t>((j + 1) * l.ld), 0.0f);
      }
      lane_out_.resize(n * l.ld);
      reference_lane_dots(lane_x_.data(), l.ld, m, p.weights.data() + first_channel * k, n, k,
                          p.bias.empty() ? nullptr : p.bias.data() + first_channel, false, lane_out_.data());
      for (std::size_t c = 0; c < n; ++c) {
        const float* lanes = lane_out_.data() + c * l.ld;
        if (g.scatter.empty()) {  // a channel's rows are consecutive outputs
          std::copy(lanes, lanes + m, out + (first_channel + c) * m);
          continue;
        }
        for (std::size_t r = 0; r < m; ++r) {
          out[g.output_index(grp, static_cast<std::int64_t>(c), static_cast<std::int64_t>(r))] = lanes[r];
        }
      }
      continue;
    }
    // lane c: channel c of the group (weights transposed once); each row broadcast.
    const float* rows = padded_in_.data();
    if (!l.gathers.empty()) {
      row_.resize(m * k);
      l.gathers[group].apply(padded_in_.data(), row_.data());
      rows = row_.data();
    }
    lane_out_.resize(m * l.ld);
    reference_lane_dots(l.weights.data() + group * k * l.ld, l.ld, n, rows, m, k, l.biases.data() + group * l.ld,
                        true, lane_out_.data());
    for (std::size_t r = 0; r < m; ++r) {
      for (std::size_t c = 0; c < n; ++c) {
        out[g.output_index(grp, static_cast<std::int64_t>(c), static_cast<std::int64_t>(r))] = lane_out_[r * l.ld + c];
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
