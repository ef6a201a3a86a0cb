#include "func/block_layer.hpp"

#include <algorithm>
#include <stdexcept>
#include <tuple>

#include "func/fold_sums.hpp"
#include "numerics/multiplier.hpp"

namespace qarch::func {

using numerics::BlockOperand;
using numerics::Format;

namespace {

arch::LayerFormats checked_formats(const arch::ArchSpec& arch, const workload::Layer& layer) {
  const arch::LayerFormats f = arch::resolve_formats(arch, layer);
  if (const auto why = numerics::check_mac(f.multiplier, f.weight, f.activation, f.accumulator))
    throw numerics::FormatError(*why);
  if (const auto why = arch::check_block_layout(arch.pe_array, f.weight, f.activation))
    throw numerics::FormatError(*why);
  const auto& q = layer.quantization;
  for (const auto& [scale, format, key] :
       {std::tuple{q.weight_scale.has_value(), &f.weight, "weight_scale"},
        std::tuple{q.activation_scale.has_value(), &f.activation, "activation_scale"}}) {
    if (scale && format->is_block_scaled())
      throw numerics::FormatError(std::string(key) + " does not apply to " + format->to_string() +
                                  ", whose blocks carry their own scales");
  }
  return f;
}

int block_size_of(const arch::LayerFormats& f) {
  return f.weight.is_block_scaled() ? f.weight.block_size() : f.activation.block_size();
}

BlockOperand operand_of(const Format& f, int block) {
  if (const auto bf = f.block_format()) return BlockOperand(*bf);
  return BlockOperand(f, block);
}

// The order on whole blocks: every segment widened to the blocks it touches, neighbours that
// share a block merged.
mapping::AccumulationOrder block_order(const mapping::AccumulationOrder& order, int block) {
  mapping::AccumulationOrder out = order;
  for (mapping::Fold& fold : out.folds) {
    std::vector<mapping::Segment> segments;
    for (const mapping::Segment& s : fold.segments) {
      const std::int64_t first = s.begin / block, end = (s.end + block - 1) / block;
      if (!segments.empty() && first < segments.back().end) {
        segments.back().end = std::max(segments.back().end, end);
      } else {
        segments.push_back({first, end});
      }
    }
    if (!fold.segments.empty() && fold.segments.front().begin % block != 0)
      throw std::logic_error("block_dot: a fold of " + order.name + " starts inside a block");
    fold.segments = std::move(segments);
  }
  return out;
}

}  // namespace

BlockLayer::BlockLayer(const arch::ArchSpec& arch, const workload::Layer& layer, const mapping::Mapping& mapping,
                       const LayerParameters& params, bool per_channel, double activation_max_abs,
                       double activation_mean_abs, double b_max_abs, double b_mean_abs)
    : formats_(checked_formats(arch, layer)),
      rule_(arch.pe_array.block_scale_rule),
      tie_(arch.pe_array.block_rounding),
      layout_(gemm_layout(layer)),
      input_elements_(layer.input.elements()),
      block_(block_size_of(formats_)),
      row_blocks_((layout_.k + block_ - 1) / block_),
      order_(block_order(mapping.flow->accumulation_order(mapping), block_)),
      accumulator_(formats_.accumulator),
      weights_(operand_of(formats_.weight, block_)),
      activations_(operand_of(formats_.activation, block_)) {
  if (!formats_.activation.is_block_scaled()) {
    activation_quantizer_.emplace(formats_.activation);
    const auto& q = layer.quantization;
    activation_scale_ = q.activation_scale ? *q.activation_scale
                                           : tensor_scale(formats_.activation, activation_max_abs, activation_mean_abs);
    std::int64_t unused = 0;
    activation_zero_code_ = (*activation_quantizer_)(0.0, unused);
  }
  if (layout_.b_gather.empty()) {
    quantize_weights(params.weights, per_channel, false, saturated_weights_);
  } else {  // arrives with each sample; per-tensor scale from the calibration statistics
    const bool blocks = formats_.weight.is_block_scaled();
    weight_scales_.assign(static_cast<std::size_t>(layout_.groups * layout_.n),
                          blocks ? 1.0 : tensor_scale(formats_.weight, b_max_abs, b_mean_abs));
  }
  if (layer.quantization.weight_scale && !formats_.weight.is_block_scaled()) {
    std::fill(weight_scales_.begin(), weight_scales_.end(), *layer.quantization.weight_scale);
  }
  product_scales_.resize(weight_scales_.size());
  for (std::size_t c = 0; c < product_scales_.size(); ++c) product_scales_[c] = weight_scales_[c] * activation_scale_;
  bias_values_ = accumulator_biases(formats_.accumulator, params.bias, product_scales_, saturated_biases_);
}

void BlockLayer::set_second_operand(const double* b, ComputeCounts& counts) {
  second_operand_.resize(layout_.b_gather.size());
  for (std::size_t j = 0; j < second_operand_.size(); ++j) second_operand_[j] = static_cast<float>(b[layout_.b_gather[j]]);
  weights_.clear();
  quantize_weights(second_operand_, false, true, counts.saturated_activations);
}

void BlockLayer::quantize_weights(const std::vector<float>& w, bool per_channel, bool scales_known,
                                  std::int64_t& saturated) {
  const std::int64_t channels = layout_.groups * layout_.n, k = layout_.k;
  if (const auto bf = formats_.weight.block_format()) {
    weight_scales_.assign(static_cast<std::size_t>(channels), 1.0);
    const float st = numerics::nvfp4_tensor_scale(numerics::tensor_amax(w.data(), w.size()));
    for (std::int64_t c = 0; c < channels; ++c) {
      quantized_.clear();
      numerics::quantize_into_blocks(*bf, w.data() + c * k, static_cast<std::size_t>(k), rule_, tie_, st, quantized_);
      for (const numerics::QuantizedBlock& q : quantized_) {
        saturated += q.saturated;
        weights_.append(q);
      }
    }
  } else {
    if (!scales_known) weight_scales_ = func::weight_scales(formats_.weight, w, channels, k, per_channel);
    const ValueQuantizer quantizer(formats_.weight);
    std::vector<std::uint32_t> codes(static_cast<std::size_t>(k));
    for (std::int64_t c = 0; c < channels; ++c) {
      const double scale = weight_scales_[static_cast<std::size_t>(c)];
      for (std::int64_t j = 0; j < k; ++j) {
        codes[static_cast<std::size_t>(j)] =
            quantizer(static_cast<double>(w[static_cast<std::size_t>(c * k + j)]) / scale, saturated);
      }
      weights_.append_codes(codes.data(), codes.size());
    }
  }
  zero_weights_by_k_.assign(static_cast<std::size_t>(layout_.groups * k), 0);
  for (std::int64_t c = 0; c < channels; ++c) {
    for (std::int64_t j = 0; j < k; ++j) {
      const auto b = static_cast<std::size_t>(c * row_blocks_ + j / block_);
      if (!weights_.nan(b) && weights_.elements(b)[j % block_] == 0)
        ++zero_weights_by_k_[static_cast<std::size_t>((c / layout_.n) * k + j)];
    }
  }
}

void BlockLayer::quantize_input(const double* in, ComputeCounts& counts) {
  const auto n = static_cast<std::size_t>(input_elements_);
  if (formats_.activation.is_block_scaled()) {
    input_floats_.resize(n);
    for (std::size_t i = 0; i < n; ++i) input_floats_[i] = static_cast<float>(in[i]);
    nvfp4_input_scale_ = numerics::nvfp4_tensor_scale(numerics::tensor_amax(input_floats_.data(), n));
    return;
  }
  input_codes_.resize(n);
  for (std::size_t i = 0; i < n; ++i)
    input_codes_[i] = (*activation_quantizer_)(in[i] / activation_scale_, counts.saturated_activations);
}

void BlockLayer::load_rows(std::int64_t group, ComputeCounts& counts) {
  const GemmLayout& g = layout_;
  const auto k = static_cast<std::size_t>(g.k);
  activations_.clear();
  const auto bf = formats_.activation.block_format();
  for (std::int64_t r = 0; r < g.m; ++r) {
    // Row r of the im2col matrix (the input itself for fc); padding is zero.
    const std::int64_t* src = g.gather.empty() ? nullptr : g.gather.data() + (group * g.m + r) * g.k;
    if (bf) {
      row_floats_.resize(k);
      for (std::size_t j = 0; j < k; ++j) {
        const std::int64_t s = src ? src[j] : static_cast<std::int64_t>(j);
        row_floats_[j] = s < 0 ? 0.0f : input_floats_[static_cast<std::size_t>(s)];
      }
      quantized_.clear();
      numerics::quantize_into_blocks(*bf, row_floats_.data(), k, rule_, tie_, nvfp4_input_scale_, quantized_);
      for (const numerics::QuantizedBlock& q : quantized_) {
        counts.saturated_activations += q.saturated;
        activations_.append(q);
      }
    } else {
      row_codes_.resize(k);
      for (std::size_t j = 0; j < k; ++j) {
        const std::int64_t s = src ? src[j] : static_cast<std::int64_t>(j);
        row_codes_[j] = s < 0 ? activation_zero_code_ : input_codes_[static_cast<std::size_t>(s)];
      }
      activations_.append_codes(row_codes_.data(), k);
    }
  }
  zero_activations_by_k_.assign(k, 0);
  for (std::int64_t r = 0; r < g.m; ++r) {
    for (std::size_t j = 0; j < k; ++j) {
      const auto b = static_cast<std::size_t>(r * row_blocks_) + j / static_cast<std::size_t>(block_);
      if (!activations_.nan(b) && activations_.elements(b)[j % static_cast<std::size_t>(block_)] == 0)
        ++zero_activations_by_k_[j];
    }
  }
}

double BlockLayer::accumulate(std::size_t weight_block, std::size_t activation_block, double bias) {
  const auto blocks = static_cast<std::size_t>(row_blocks_);
  if (order_.sequential) return accumulator_.dot(weights_, weight_block, activations_, activation_block, blocks, bias);
  const auto add = [&](double x, double y) { return accumulator_.add(x, y); };
  double running = bias;  // the output buffer's (or lane register's) sum
  for (const mapping::Fold& fold : order_.folds) {
    parts_.clear();
    for (const mapping::Segment& s : fold.segments) {
      const auto first = static_cast<std::size_t>(s.begin), count = static_cast<std::size_t>(s.end - s.begin);
      parts_.push_back(
          accumulator_.dot(weights_, weight_block + first, activations_, activation_block + first, count, 0.0));
    }
    running = add(running, fold.tree ? tree_sum(parts_, add) : chain_sum(parts_, add));
  }
  return running;
}

void BlockLayer::run(const double* in, double* out, double* accumulators, ComputeCounts& counts) {
  const GemmLayout& g = layout_;
  const std::uint64_t overflows_before = accumulator_.overflow_count();
  quantize_input(in, counts);
  for (std::int64_t grp = 0; grp < g.groups; ++grp) {
    load_rows(grp, counts);
    // Zero operands: weight zeros x m rows, activation zeros x n channels, minus both.
    const std::int64_t* zw = zero_weights_by_k_.data() + grp * g.k;
    std::int64_t zw_total = 0, za_total = 0, both = 0;
    for (std::int64_t j = 0; j < g.k; ++j) {
      const std::int64_t za = zero_activations_by_k_[static_cast<std::size_t>(j)];
      zw_total += zw[j];
      za_total += za;
      both += zw[j] * za;
    }
    counts.zero_weight_operands += zw_total * g.m;
    counts.zero_activation_operands += za_total * g.n;
    counts.zero_operand_macs += zw_total * g.m + za_total * g.n - both;
    for (std::int64_t c = 0; c < g.n; ++c) {
      const std::int64_t channel = grp * g.n + c;
      const auto ci = static_cast<std::size_t>(channel);
      for (std::int64_t r = 0; r < g.m; ++r) {
        const double acc = accumulate(static_cast<std::size_t>(channel * row_blocks_),
                                      static_cast<std::size_t>(r * row_blocks_), bias_values_[ci]);
        const std::int64_t o = g.output_index(grp, c, r);
        if (accumulators != nullptr) accumulators[o] = acc;
        out[o] = acc * product_scales_[ci];
      }
    }
  }
  counts.overflowed_accumulations += accumulator_.overflow_count() - overflows_before;
}

}  // namespace qarch::func
