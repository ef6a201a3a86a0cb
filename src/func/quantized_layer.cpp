#include "func/quantized_layer.hpp"

#include <algorithm>
#include <cmath>

#include "numerics/codec.hpp"

namespace qarch::func {

using numerics::Format;
using numerics::FormatKind;

namespace {

double max_abs_value(const Format& f) {
  return std::max(std::fabs(numerics::max_value(f)), std::fabs(numerics::lowest_value(f)));
}

}  // namespace

QuantizedLayer::QuantizedLayer(const arch::ArchSpec& arch, const workload::Layer& layer,
                               const mapping::Mapping& mapping,
                               const LayerParameters& params, bool per_channel,
                               double activation_max_abs, double activation_mean_abs)
    : formats_(arch::resolve_formats(arch, layer)),
      layout_(gemm_layout(layer)),
      input_elements_(layer.input.elements()),
      order_(mapping.flow->accumulation_order(mapping)),
      kernel_(std::make_unique<DotKernel>(formats_.multiplier, formats_.weight, formats_.activation,
                                          formats_.accumulator)),
      activation_quantizer_(formats_.activation),
      weight_zero_(formats_.weight),
      activation_zero_(formats_.activation) {
  const auto& q = layer.quantization;
  activation_scale_ = q.activation_scale
                          ? *q.activation_scale
                          : tensor_scale(formats_.activation, activation_max_abs, activation_mean_abs);
  std::int64_t unused = 0;
  activation_zero_code_ = activation_quantizer_(0.0, unused);
  if (!order_.permutation.empty()) {
    if (layout_.gather.empty()) {  // rs needs explicit gathers to permute
      layout_.gather.resize(static_cast<std::size_t>(layout_.k));
      for (std::int64_t j = 0; j < layout_.k; ++j) layout_.gather[static_cast<std::size_t>(j)] = j;
    }
    permute_columns(layout_.gather, layout_.k, order_.permutation);
  }
  choose_weight_scales(params, per_channel);
  if (q.weight_scale) std::fill(weight_scales_.begin(), weight_scales_.end(), *q.weight_scale);
  quantize_parameters(params);

  // Any order gives the same sum when adds are exact: a quire, or an integer accumulator that
  // no partial sum can leave (|bias| + k max|w| max|a| within range; Mitchell-style products
  // never exceed the exact ones in magnitude).
  const Format& acc = formats_.accumulator;
  if (acc.kind() == FormatKind::Quire) {
    order_free_ = true;
  } else if (acc.is_integer_like() && acc.is_signed()) {
    double max_w = 0;
    for (const std::uint32_t c : weight_codes_) {
      max_w = std::max(max_w, std::fabs(numerics::decode(formats_.weight, c)));
    }
    double max_bias = 0;
    for (const double b : bias_values_) max_bias = std::max(max_bias, std::fabs(b));
    const double bound = max_bias + static_cast<double>(layout_.k) * max_w *
                                        max_abs_value(formats_.activation) * (1 + 1e-12);
    order_free_ = bound <= numerics::max_value(acc);
  }
}

void QuantizedLayer::choose_weight_scales(const LayerParameters& params, bool per_channel) {
  const std::int64_t channels = layout_.groups * layout_.n;
  const std::int64_t k = layout_.k;
  weight_scales_.assign(static_cast<std::size_t>(channels), 1.0);
  const auto stats = [&](std::int64_t first, std::int64_t count, double& max_abs, double& mean_abs) {
    max_abs = 0;
    double sum = 0;
    for (std::int64_t i = first; i < first + count; ++i) {
      const double v = std::fabs(static_cast<double>(params.weights[static_cast<std::size_t>(i)]));
      max_abs = std::max(max_abs, v);
      sum += v;
    }
    mean_abs = count > 0 ? sum / static_cast<double>(count) : 0;
  };
  double max_abs = 0;
  double mean_abs = 0;
  if (!per_channel) {
    stats(0, channels * k, max_abs, mean_abs);
    std::fill(weight_scales_.begin(), weight_scales_.end(),
              tensor_scale(formats_.weight, max_abs, mean_abs));
  } else {
    for (std::int64_t c = 0; c < channels; ++c) {
      stats(c * k, k, max_abs, mean_abs);
      weight_scales_[static_cast<std::size_t>(c)] = tensor_scale(formats_.weight, max_abs, mean_abs);
    }
  }
}

void QuantizedLayer::quantize_parameters(const LayerParameters& params) {
  const std::int64_t channels = layout_.groups * layout_.n;
  const std::int64_t k = layout_.k;
  // Weights now that the scales are final (a configured scale replaces the calibrated one).
  const ValueQuantizer wq(formats_.weight);
  weight_codes_.resize(static_cast<std::size_t>(channels * k));
  zero_weights_by_k_.assign(static_cast<std::size_t>(layout_.groups * k), 0);
  for (std::int64_t c = 0; c < channels; ++c) {
    const double scale = weight_scales_[static_cast<std::size_t>(c)];
    const std::int64_t g = c / layout_.n;
    for (std::int64_t p = 0; p < k; ++p) {
      const std::int64_t j = order_.permutation.empty() ? p : order_.permutation[static_cast<std::size_t>(p)];
      const double w = static_cast<double>(params.weights[static_cast<std::size_t>(c * k + j)]);
      const std::uint32_t code = wq(w / scale, saturated_weights_);
      weight_codes_[static_cast<std::size_t>(c * k + p)] = code;
      if (weight_zero_(code)) ++zero_weights_by_k_[static_cast<std::size_t>(g * k + p)];
    }
  }
  // Biases in accumulator values: integer accumulators take an int32 bias (scale = weight scale
  // x activation scale); others round it into the accumulator's own (result) format.
  const Format& acc = formats_.accumulator;
  Format bias_format = acc;
  if (acc.kind() == FormatKind::Int || acc.kind() == FormatKind::UInt) {
    bias_format = Format::make_int(32);
  } else if (acc.kind() == FormatKind::Quire) {
    bias_format = Format::make_posit(acc.posit_bits(), acc.posit_es());
  }
  const ValueQuantizer bq(bias_format);
  product_scales_.resize(static_cast<std::size_t>(channels));
  bias_values_.assign(static_cast<std::size_t>(channels), 0.0);
  for (std::int64_t c = 0; c < channels; ++c) {
    const auto ci = static_cast<std::size_t>(c);
    product_scales_[ci] = weight_scales_[ci] * activation_scale_;
    if (params.bias.empty()) continue;
    const double b = static_cast<double>(params.bias[ci]);
    bias_values_[ci] = numerics::decode(bias_format, bq(b / product_scales_[ci], saturated_biases_));
  }
}

double QuantizedLayer::accumulate(const std::uint32_t* w, const std::uint32_t* a, double bias,
                                  std::uint64_t& overflows) {
  if (order_free_ || order_.sequential) return kernel_->chain(bias, w, a, layout_.k, overflows);
  double running = bias;  // the output buffer's (or lane register's) sum
  for (const mapping::Fold& fold : order_.folds) {
    parts_.clear();
    for (const mapping::Segment& seg : fold.segments)
      parts_.push_back(kernel_->chain(0.0, w + seg.begin, a + seg.begin, seg.end - seg.begin, overflows));
    running = kernel_->add(running, fold.tree ? tree_sum(overflows) : chain_sum(overflows), overflows);
  }
  return running;
}

double QuantizedLayer::chain_sum(std::uint64_t& overflows) {
  double sum = parts_.empty() ? 0.0 : parts_[0];
  for (std::size_t s = 1; s < parts_.size(); ++s) sum = kernel_->add(sum, parts_[s], overflows);
  return sum;
}

double QuantizedLayer::tree_sum(std::uint64_t& overflows) {
  if (parts_.empty()) return 0.0;
  for (std::size_t width = parts_.size(); width > 1;) {  // one tree level: neighbours pairwise
    std::size_t out = 0;
    for (std::size_t i = 0; i + 1 < width; i += 2) parts_[out++] = kernel_->add(parts_[i], parts_[i + 1], overflows);
    if (width % 2 == 1) parts_[out++] = parts_[width - 1];  // the odd one out moves up as is
    width = out;
  }
  return parts_[0];
}

void QuantizedLayer::run(const double* in, double* out, double* accumulators, ComputeCounts& counts) {
  const GemmLayout& g = layout_;
  const std::int64_t k = g.k;
  // The input stage: every input element quantized once (x / scale, rounded into the format).
  input_codes_.resize(static_cast<std::size_t>(input_elements_));
  for (std::int64_t i = 0; i < input_elements_; ++i) {
    input_codes_[static_cast<std::size_t>(i)] =
        activation_quantizer_(in[i] / activation_scale_, counts.saturated_activations);
  }
  operand_rows_.resize(static_cast<std::size_t>(g.m * k));
  zero_activations_by_k_.resize(static_cast<std::size_t>(k));
  for (std::int64_t grp = 0; grp < g.groups; ++grp) {
    const std::uint32_t* rows = input_codes_.data();
    std::fill(zero_activations_by_k_.begin(), zero_activations_by_k_.end(), 0);
    if (!g.gather.empty()) {
      const std::int64_t* src = g.gather.data() + grp * g.m * k;
      for (std::int64_t i = 0; i < g.m * k; ++i) {
        operand_rows_[static_cast<std::size_t>(i)] = src[i] < 0 ? activation_zero_code_ : input_codes_[static_cast<std::size_t>(src[i])];
      }
      rows = operand_rows_.data();
    }
    for (std::int64_t i = 0; i < g.m * k; ++i) {
      if (activation_zero_(rows[i])) ++zero_activations_by_k_[static_cast<std::size_t>(i % k)];
    }
    // Zero operands: weight zeros x m rows, activation zeros x n channels, minus both.
    const std::int64_t* zw = zero_weights_by_k_.data() + grp * k;
    std::int64_t zw_total = 0, za_total = 0, both = 0;
    for (std::int64_t j = 0; j < k; ++j) {
      zw_total += zw[j];
      za_total += zero_activations_by_k_[static_cast<std::size_t>(j)];
      both += zw[j] * zero_activations_by_k_[static_cast<std::size_t>(j)];
    }
    counts.zero_weight_operands += zw_total * g.m;
    counts.zero_activation_operands += za_total * g.n;
    counts.zero_operand_macs += zw_total * g.m + za_total * g.n - both;

    for (std::int64_t c = 0; c < g.n; ++c) {
      const std::int64_t channel = grp * g.n + c;
      const std::uint32_t* w = weight_codes_.data() + channel * k;
      const double bias = bias_values_[static_cast<std::size_t>(channel)];
      const double scale = product_scales_[static_cast<std::size_t>(channel)];
      for (std::int64_t r = 0; r < g.m; ++r) {
        const double acc = accumulate(w, rows + r * k, bias, counts.overflowed_accumulations);
        const std::int64_t o = g.output_index(grp, c, r);
        if (accumulators != nullptr) accumulators[o] = acc;
        out[o] = acc * scale;
      }
    }
  }
}

}  // namespace qarch::func
