#include "func/layer_ops.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace qarch::func {

using workload::Layer;
using workload::LayerType;

GemmLayout gemm_layout(const Layer& layer) {
  GemmLayout g;
  const workload::Shape& in = layer.input;
  switch (layer.type) {
    case LayerType::Fc:
      g.groups = 1;
      g.m = 1;
      g.k = in.elements();
      g.n = layer.out_features;
      return g;
    case LayerType::Matmul: {  // input K x T x 1: A[t][k] = x[k][t]
      g.groups = 1;
      g.m = in.h * in.w;
      g.k = in.c;
      g.n = layer.out_features;
      g.gather.resize(static_cast<std::size_t>(g.m * g.k));
      for (std::int64_t t = 0; t < g.m; ++t) {
        for (std::int64_t c = 0; c < g.k; ++c) g.gather[static_cast<std::size_t>(t * g.k + c)] = c * g.m + t;
      }
      return g;
    }
    default: break;
  }
  // conv2d: A[(e, f)][(c, r, s)] = x[g * C/groups + c][e*stride - pad + r*dil][f*stride - pad + s*dil]
  const std::int64_t cg = in.c / layer.groups;
  const std::int64_t E = layer.output.h, F = layer.output.w;
  const std::int64_t R = layer.kernel_h, S = layer.kernel_w;
  g.groups = layer.groups;
  g.m = E * F;
  g.k = cg * R * S;
  g.n = layer.filters / layer.groups;
  g.gather.resize(static_cast<std::size_t>(g.groups * g.m * g.k));
  std::size_t pos = 0;
  for (std::int64_t grp = 0; grp < g.groups; ++grp) {
    for (std::int64_t e = 0; e < E; ++e) {
      for (std::int64_t f = 0; f < F; ++f) {
        for (std::int64_t c = 0; c < cg; ++c) {
          for (std::int64_t r = 0; r < R; ++r) {
            const std::int64_t y = e * layer.stride_h - layer.pad_top + r * layer.dilation_h;
            for (std::int64_t s = 0; s < S; ++s) {
              const std::int64_t x = f * layer.stride_w - layer.pad_left + s * layer.dilation_w;
              const bool inside = y >= 0 && y < in.h && x >= 0 && x < in.w;
              g.gather[pos++] = inside ? ((grp * cg + c) * in.h + y) * in.w + x : -1;
            }
          }
        }
      }
    }
  }
  return g;
}

void permute_columns(std::vector<std::int64_t>& rows_by_k, std::int64_t k,
                     const std::vector<std::int64_t>& perm) {
  if (perm.empty() || k == 0) return;
  std::vector<std::int64_t> row(static_cast<std::size_t>(k));
  for (std::size_t base = 0; base < rows_by_k.size(); base += static_cast<std::size_t>(k)) {
    for (std::int64_t p = 0; p < k; ++p) row[static_cast<std::size_t>(p)] = rows_by_k[base + static_cast<std::size_t>(perm[static_cast<std::size_t>(p)])];
    std::copy(row.begin(), row.end(), rows_by_k.begin() + static_cast<std::ptrdiff_t>(base));
  }
}

bool vector_layer_supported(const Layer& layer, std::string& why) {
  if (layer.type == LayerType::Activation) {
    static const char* kSupported[] = {"relu", "relu6", "gelu", "sigmoid", "tanh", "softmax"};
    for (const char* f : kSupported) {
      if (layer.function == f) return true;
    }
    why = "activation '" + layer.function + "' is not supported in functional mode (it has no "
          "trained parameters); supported: relu, relu6, gelu, sigmoid, tanh, softmax";
    return false;
  }
  if (layer.type == LayerType::Matmul && layer.out_features == 0) {
    why = "a matmul between two activations (`b`) is not supported in functional mode";
    return false;
  }
  return true;
}

namespace {

template <typename T>
void pool(const Layer& layer, const T* in, T* out) {
  const bool is_max = layer.type == LayerType::MaxPool;
  const workload::Shape& s = layer.input;
  const workload::Shape& o = layer.output;
  for (std::int64_t c = 0; c < o.c; ++c) {
    for (std::int64_t e = 0; e < o.h; ++e) {
      for (std::int64_t f = 0; f < o.w; ++f) {
        T best = -std::numeric_limits<T>::infinity();
        T sum = 0;
        std::int64_t count = 0;
        for (std::int64_t r = 0; r < layer.kernel_h; ++r) {
          const std::int64_t y = e * layer.stride_h - layer.pad_top + r;
          if (y < 0 || y >= s.h) continue;
          for (std::int64_t q = 0; q < layer.kernel_w; ++q) {
            const std::int64_t x = f * layer.stride_w - layer.pad_left + q;
            if (x < 0 || x >= s.w) continue;
            const T v = in[(c * s.h + y) * s.w + x];
            // NaN wins a max (it propagates, as in PyTorch).
            if (v > best || std::isnan(v)) best = std::isnan(best) ? best : v;
            sum += v;
            ++count;
          }
        }
        out[(c * o.h + e) * o.w + f] = is_max ? best : sum / static_cast<T>(count);
      }
    }
  }
}

template <typename T, typename F>
void map_values(const T* in, T* out, std::int64_t n, F f) {
  for (std::int64_t i = 0; i < n; ++i) out[i] = f(in[i]);
}

template <typename T>
void activate(const std::string& f, const T* in, T* out, std::int64_t n) {
  // x != x keeps NaN (it propagates, as in PyTorch).
  if (f == "relu") return map_values(in, out, n, [](T x) { return x > 0 || x != x ? x : T(0); });
  if (f == "relu6") {
    return map_values(in, out, n, [](T x) { return x != x ? x : std::min(std::max(x, T(0)), T(6)); });
  }
  if (f == "sigmoid") return map_values(in, out, n, [](T x) { return T(1) / (T(1) + std::exp(-x)); });
  if (f == "tanh") return map_values(in, out, n, [](T x) { return std::tanh(x); });
  // gelu (exact, erf form)
  map_values(in, out, n, [](T x) { return T(0.5) * x * (T(1) + std::erf(x / std::sqrt(T(2)))); });
}

}  // namespace

template <typename T>
void run_vector_layer(const Layer& layer, const T* in, const T* in_b, T* out) {
  const std::int64_t n = layer.output.elements();
  switch (layer.type) {
    case LayerType::MaxPool:
    case LayerType::AvgPool: pool(layer, in, out); return;
    case LayerType::Add:
      for (std::int64_t i = 0; i < n; ++i) out[i] = in[i] + in_b[i];
      return;
    case LayerType::Activation: {
      if (layer.function == "softmax") {  // over the channels, at every position
        const std::int64_t positions = layer.output.h * layer.output.w;
        const std::int64_t channels = layer.output.c;
        for (std::int64_t p = 0; p < positions; ++p) {
          T top = -std::numeric_limits<T>::infinity();
          for (std::int64_t c = 0; c < channels; ++c) top = std::max(top, in[c * positions + p]);
          T sum = 0;
          for (std::int64_t c = 0; c < channels; ++c) {
            out[c * positions + p] = std::exp(in[c * positions + p] - top);
            sum += out[c * positions + p];
          }
          for (std::int64_t c = 0; c < channels; ++c) out[c * positions + p] /= sum;
        }
        return;
      }
      activate(layer.function, in, out, n);
      return;
    }
    default: return;
  }
}

template void run_vector_layer<float>(const Layer&, const float*, const float*, float*);
template void run_vector_layer<double>(const Layer&, const double*, const double*, double*);

}  // namespace qarch::func
