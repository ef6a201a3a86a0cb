#include "func/layer_ops.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace qarch::func {

using workload::Layer;
using workload::LayerType;

namespace {

// Q.K^T and A.V: operands are C x T token sequences (element (c, t) at c * T + t), split into
// heads of C / heads channels; the `heads / kv_heads` heads of the first operand that share a
// head of b form one group (their rows stacked), so b is read once per group.
GemmLayout activation_matmul_layout(const Layer& layer) {
  const workload::Shape& a = layer.input;
  const workload::Shape& b = layer.input_b;
  const std::int64_t kv = layer.kv_heads > 0 ? layer.kv_heads : layer.heads;
  const std::int64_t share = layer.heads / kv;
  const std::int64_t queries = a.h, keys = b.h, b_dim = b.c / kv;
  GemmLayout g;
  g.groups = kv;
  g.m = share * queries;
  g.k = a.c / layer.heads;
  g.n = layer.transpose_b ? keys : b_dim;
  g.gather.resize(static_cast<std::size_t>(g.groups * g.m * g.k));
  g.scatter.resize(static_cast<std::size_t>(g.groups * g.n * g.m));
  for (std::int64_t grp = 0; grp < g.groups; ++grp) {
    for (std::int64_t h = 0; h < share; ++h) {
      const std::int64_t head = grp * share + h;
      for (std::int64_t i = 0; i < queries; ++i) {
        const std::int64_t row = h * queries + i;
        for (std::int64_t j = 0; j < g.k; ++j) {
          g.gather[static_cast<std::size_t>((grp * g.m + row) * g.k + j)] = (head * g.k + j) * queries + i;
        }
        for (std::int64_t c = 0; c < g.n; ++c) {
          g.scatter[static_cast<std::size_t>((grp * g.n + c) * g.m + row)] = (head * g.n + c) * queries + i;
        }
      }
    }
  }
  // W[c][j]: Q.K^T takes key c's feature j, A.V value feature c of key j.
  g.b_gather.resize(static_cast<std::size_t>(g.groups * g.n * g.k));
  for (std::int64_t grp = 0; grp < g.groups; ++grp) {
    for (std::int64_t c = 0; c < g.n; ++c) {
      for (std::int64_t j = 0; j < g.k; ++j) {
        const std::int64_t feature = layer.transpose_b ? j : c, key = layer.transpose_b ? c : j;
        g.b_gather[static_cast<std::size_t>((grp * g.n + c) * g.k + j)] = (grp * b_dim + feature) * keys + key;
      }
    }
  }
  return g;
}

}  // namespace

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
      if (layer.out_features == 0) return activation_matmul_layout(layer);
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

namespace {

// The vector unit's arithmetic: values of T, each result rounded by `format` (none: T's own).
template <typename T>
struct Unit {
  const VectorFormat* format;
  T operator()(T x) const { return format ? static_cast<T>((*format)(static_cast<double>(x))) : x; }
};

template <typename T>
void pool(const Layer& layer, const T* in, T* out, Unit<T> r) {
  const bool is_max = layer.type == LayerType::MaxPool;
  const workload::Shape& s = layer.input;
  const workload::Shape& o = layer.output;
  for (std::int64_t c = 0; c < o.c; ++c) {
    for (std::int64_t e = 0; e < o.h; ++e) {
      for (std::int64_t f = 0; f < o.w; ++f) {
        T best = -std::numeric_limits<T>::infinity();
        T sum = 0;
        std::int64_t count = 0;
        for (std::int64_t q = 0; q < layer.kernel_h; ++q) {
          const std::int64_t y = e * layer.stride_h - layer.pad_top + q;
          if (y < 0 || y >= s.h) continue;
          for (std::int64_t p = 0; p < layer.kernel_w; ++p) {
            const std::int64_t x = f * layer.stride_w - layer.pad_left + p;
            if (x < 0 || x >= s.w) continue;
            const T v = r(in[(c * s.h + y) * s.w + x]);
            // NaN wins a max (it propagates, as in PyTorch).
            if (v > best || std::isnan(v)) best = std::isnan(best) ? best : v;
            sum = r(sum + v);
            ++count;
          }
        }
        out[(c * o.h + e) * o.w + f] = is_max ? best : r(sum / static_cast<T>(count));
      }
    }
  }
}

template <typename T>
T sigmoid(T x) {
  return T(1) / (T(1) + std::exp(-x));
}

// Element-wise functions: evaluated in T and rounded once (a table or polynomial unit of the
// format's precision). One loop per function, the function's name compared once: ReLU and ReLU6
// are selects the compiler vectorizes (a branch per element mispredicts on half of them).
template <typename T>
void activate(const std::string& f, const T* in, T* out, std::int64_t n, Unit<T> r) {
  const auto each = [&](auto fn) {
    for (std::int64_t i = 0; i < n; ++i) out[i] = r(fn(r(in[i])));
  };
  // NaN stays NaN (it propagates, as in PyTorch); -0 becomes +0, as x > 0 ? x : 0 gives.
  if (f == "relu" && r.format == nullptr) {
    for (std::int64_t i = 0; i < n; ++i) out[i] = !(in[i] <= T(0)) ? in[i] : T(0);
  } else if (f == "relu") {
    each([](T x) { return !(x <= T(0)) ? x : T(0); });
  } else if (f == "relu6") {
    each([](T x) { return x != x ? x : std::min(std::max(x, T(0)), T(6)); });
  } else if (f == "sigmoid") {
    each([](T x) { return sigmoid(x); });
  } else if (f == "tanh") {
    each([](T x) { return std::tanh(x); });
  } else if (f == "silu") {
    each([](T x) { return x * sigmoid(x); });
  } else {  // gelu, the exact (erf) form
    each([](T x) { return T(0.5) * x * (T(1) + std::erf(x / std::sqrt(T(2)))); });
  }
}

// Softmax over each head's slice of the channels at every position (docs/functional.md):
// e = exp(x - max), their sum, one reciprocal, e times it; every step rounded.
template <typename T>
void softmax(const Layer& layer, const T* in, T* out, Unit<T> r) {
  const std::int64_t positions = layer.output.h * layer.output.w;
  const std::int64_t keys = layer.output.c / std::max<std::int64_t>(1, layer.heads);
  for (std::int64_t head = 0; head < layer.heads; ++head) {
    for (std::int64_t p = 0; p < positions; ++p) {
      // Causal: query p of `positions` sees the keys up to p + (keys - positions).
      const std::int64_t visible = layer.causal ? std::clamp<std::int64_t>(p + 1 + keys - positions, 0, keys) : keys;
      const auto at = [&](std::int64_t j) { return (head * keys + j) * positions + p; };
      T top = -std::numeric_limits<T>::infinity();
      for (std::int64_t j = 0; j < visible; ++j) top = std::max(top, r(in[at(j)]));
      T sum = 0;
      for (std::int64_t j = 0; j < visible; ++j) {
        out[at(j)] = r(std::exp(r(r(in[at(j)]) - top)));
        sum = r(sum + out[at(j)]);
      }
      const T inverse = r(T(1) / sum);
      for (std::int64_t j = 0; j < visible; ++j) out[at(j)] = r(out[at(j)] * inverse);
      for (std::int64_t j = visible; j < keys; ++j) out[at(j)] = 0;
    }
  }
}

constexpr double kNormEpsilon = 1e-5;  // PyTorch's default for LayerNorm (and RMSNorm here)

// Layernorm / rmsnorm over the channels at every position, then the gain and shift.
template <typename T>
void normalize(const Layer& layer, const LayerParameters& params, const T* in, T* out, Unit<T> r) {
  const bool rms = layer.function == "rmsnorm";
  const std::int64_t positions = layer.output.h * layer.output.w;
  const std::int64_t channels = layer.output.c;
  const T count = static_cast<T>(channels);
  const T epsilon = r(static_cast<T>(kNormEpsilon));
  for (std::int64_t p = 0; p < positions; ++p) {
    const auto at = [&](std::int64_t c) { return c * positions + p; };
    T mean = 0;
    if (!rms) {
      T sum = 0;
      for (std::int64_t c = 0; c < channels; ++c) sum = r(sum + r(in[at(c)]));
      mean = r(sum / count);
    }
    T squares = 0;
    for (std::int64_t c = 0; c < channels; ++c) {
      const T d = r(r(in[at(c)]) - mean);
      out[at(c)] = d;
      squares = r(squares + r(d * d));
    }
    const T inverse = r(T(1) / std::sqrt(r(r(squares / count) + epsilon)));
    for (std::int64_t c = 0; c < channels; ++c) {
      T y = r(out[at(c)] * inverse);
      if (!params.weights.empty()) y = r(y * static_cast<T>(params.weights[static_cast<std::size_t>(c)]));
      if (!params.bias.empty()) y = r(y + static_cast<T>(params.bias[static_cast<std::size_t>(c)]));
      out[at(c)] = y;
    }
  }
}

// silu(gate) x up: gate is the first half of the channels, up the second.
template <typename T>
void swiglu(const Layer& layer, const T* in, T* out, Unit<T> r) {
  const std::int64_t half = layer.output.elements();
  for (std::int64_t i = 0; i < half; ++i) {
    const T g = r(in[i]);
    out[i] = r(r(g * sigmoid(g)) * r(in[half + i]));
  }
}

// Rotary position embedding (RoFormer; the rotate-half pairing of GPT-NeoX and Llama): in each
// head's slice of d channels, channels i and i + d/2 at token t turn by t x theta^(-2i/d). The
// cosine and sine are computed in double and rounded once (a table of the unit's format).
template <typename T>
void rope(const Layer& layer, const T* in, T* out, Unit<T> r) {
  const std::int64_t positions = layer.output.h;
  const std::int64_t d = layer.output.c / layer.heads, half = d / 2;
  for (std::int64_t i = 0; i < half; ++i) {
    const double frequency = std::pow(layer.rope_theta, -2.0 * static_cast<double>(i) / static_cast<double>(d));
    for (std::int64_t t = 0; t < positions; ++t) {
      const double angle = static_cast<double>(t) * frequency;
      const T c = r(static_cast<T>(std::cos(angle))), s = r(static_cast<T>(std::sin(angle)));
      for (std::int64_t h = 0; h < layer.heads; ++h) {
        const std::int64_t a = (h * d + i) * positions + t, b = a + half * positions;
        const T x1 = r(in[a]), x2 = r(in[b]);
        out[a] = r(r(x1 * c) - r(x2 * s));
        out[b] = r(r(x2 * c) + r(x1 * s));
      }
    }
  }
}

}  // namespace

template <typename T>
void run_vector_layer(const Layer& layer, const LayerParameters& params, const T* in, const T* in_b, T* out,
                      const VectorFormat* format) {
  // Pooling, adds and ReLU are the array's activation datapath, not the special-function unit:
  // exact here, their consumer rounds them into its own format.
  const Unit<T> r{format}, exact{nullptr};
  const std::int64_t n = layer.output.elements();
  switch (layer.type) {
    case LayerType::MaxPool:
    case LayerType::AvgPool: pool(layer, in, out, exact); return;
    case LayerType::Add:
      if (in_b == nullptr) {  // plus the layer's constant
        for (std::int64_t i = 0; i < n; ++i) out[i] = in[i] + static_cast<T>(params.weights[static_cast<std::size_t>(i)]);
      } else {
        for (std::int64_t i = 0; i < n; ++i) out[i] = in[i] + in_b[i];
      }
      return;
    case LayerType::Activation:
      if (layer.function == "softmax") return softmax(layer, in, out, r);
      if (layer.function == "layernorm" || layer.function == "rmsnorm") return normalize(layer, params, in, out, r);
      if (layer.function == "swiglu") return swiglu(layer, in, out, r);
      if (layer.function == "rope") return rope(layer, in, out, r);
      activate(layer.function, in, out, n, layer.function == "relu" || layer.function == "relu6" ? exact : r);
      return;
    case LayerType::Embedding:  // rows of the table (the quantized run stores it: EmbeddingTable)
      for (std::int64_t t = 0; t < layer.output.h; ++t) {
        const float* row = params.weights.data() + static_cast<std::int64_t>(in[t]) * layer.out_features;
        for (std::int64_t d = 0; d < layer.out_features; ++d) out[d * layer.output.h + t] = static_cast<T>(row[d]);
      }
      return;
    default: return;
  }
}

template void run_vector_layer<float>(const Layer&, const LayerParameters&, const float*, const float*, float*,
                                      const VectorFormat*);
template void run_vector_layer<double>(const Layer&, const LayerParameters&, const double*, const double*, double*,
                                       const VectorFormat*);

}  // namespace qarch::func
