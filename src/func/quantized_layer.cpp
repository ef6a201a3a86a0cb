#include "func/quantized_layer.hpp"

#include <algorithm>
#include <cmath>

#include "func/fold_sums.hpp"
#include "func/simd_int_gemm.hpp"
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
                               double activation_max_abs, double activation_mean_abs, double b_max_abs,
                               double b_mean_abs)
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
  const bool second_operand = !layout_.b_gather.empty();
  if (second_operand) {  // per tensor, from the calibration statistics of b
    weight_scales_.assign(static_cast<std::size_t>(layout_.groups * layout_.n),
                          tensor_scale(formats_.weight, b_max_abs, b_mean_abs));
  } else {
    weight_scales_ = func::weight_scales(formats_.weight, params.weights, layout_.groups * layout_.n, layout_.k, per_channel);
  }
  if (q.weight_scale) std::fill(weight_scales_.begin(), weight_scales_.end(), *q.weight_scale);
  quantize_parameters(params);

  // Any order gives the same sum when adds are exact: a quire, or an integer accumulator that
  // no partial sum can leave (|bias| + k max|w| max|a| within range; Mitchell-style products
  // never exceed the exact ones in magnitude).
  const Format& acc = formats_.accumulator;
  if (acc.kind() == FormatKind::Quire) {
    order_free_ = true;
  } else if (acc.is_integer_like() && acc.is_signed()) {
    double max_w = second_operand ? max_abs_value(formats_.weight) : 0;  // b: any code
    for (const std::uint32_t c : weight_codes_) {
      max_w = std::max(max_w, std::fabs(numerics::decode(formats_.weight, c)));
    }
    double max_bias = 0;
    for (const double b : bias_values_) max_bias = std::max(max_bias, std::fabs(b));
    const double bound = max_bias + static_cast<double>(layout_.k) * max_w *
                                        max_abs_value(formats_.activation) * (1 + 1e-12);
    order_free_ = bound <= numerics::max_value(acc);
  }
  fast_ = std::make_unique<FastLayerKernel>(layout_, formats_, *kernel_, order_, order_free_, bias_values_);
  if (!fast_->active()) {
    fast_.reset();
  } else if (!second_operand) {
    fast_->set_weights(weight_codes_);
  }
  plan_gathers();
}

void QuantizedLayer::plan_gathers() {
  const GemmLayout& g = layout_;
  const std::int64_t m = g.m, k = g.k, mk = m * k;
  const auto source = [&](std::int64_t grp, std::int64_t r, std::int64_t j) {
    if (g.gather.empty()) return r * k + j;
    const std::int64_t src = g.gather[static_cast<std::size_t>(grp * mk + r * k + j)];
    return src < 0 ? input_elements_ : src;
  };
  gathers_.clear();
  lane_gathers_.clear();
  const bool lanes = fast_ && fast_->takes_lanes();
  if (lanes) {  // per group, j-major into k x ld lanes
    const auto ld = static_cast<std::int64_t>(fast_->lane_stride());
    for (std::int64_t grp = 0; grp < g.groups; ++grp) {
      lane_gathers_.emplace_back(mk, [&](std::int64_t e) { return e / m * ld + e % m; },
                                 [&](std::int64_t e) { return source(grp, e % m, e / m); });
    }
    // Lanes past m stay zero.
    if (fast_->lanes_are_floats()) {
      float_lanes_.assign(static_cast<std::size_t>(k * ld), 0.0f);
    } else {
      lanes_.assign(static_cast<std::size_t>(k * ld), 0);
    }
  }
  if ((!lanes || fast_->lanes_are_floats()) && !g.gather.empty()) {  // per group, element (r, j) of the m x k rows
    for (std::int64_t grp = 0; grp < g.groups; ++grp) {
      gathers_.emplace_back(mk, [](std::int64_t e) { return e; }, [&](std::int64_t e) { return source(grp, e / k, e % k); });
    }
  }
}

const std::uint32_t* QuantizedLayer::operand_rows(std::int64_t grp) {
  if (gathers_.empty()) return input_codes_.data();
  operand_rows_.resize(static_cast<std::size_t>(layout_.m * layout_.k));
  gathers_[static_cast<std::size_t>(grp)].apply(input_codes_.data(), operand_rows_.data());
  return operand_rows_.data();
}

template <typename Weight>
void QuantizedLayer::quantize_weights(Weight weight, std::int64_t& saturated) {
  const std::int64_t channels = layout_.groups * layout_.n;
  const std::int64_t k = layout_.k;
  const ValueQuantizer wq(formats_.weight);
  weight_codes_.resize(static_cast<std::size_t>(channels * k));
  zero_weights_by_k_.assign(static_cast<std::size_t>(layout_.groups * k), 0);
  for (std::int64_t c = 0; c < channels; ++c) {
    const double scale = weight_scales_[static_cast<std::size_t>(c)];
    const std::int64_t g = c / layout_.n;
    for (std::int64_t p = 0; p < k; ++p) {
      const std::int64_t j = order_.permutation.empty() ? p : order_.permutation[static_cast<std::size_t>(p)];
      const std::uint32_t code = wq(weight(c, j) / scale, saturated);
      weight_codes_[static_cast<std::size_t>(c * k + p)] = code;
      if (weight_zero_(code)) ++zero_weights_by_k_[static_cast<std::size_t>(g * k + p)];
    }
  }
}

void QuantizedLayer::set_second_operand(const double* b, ComputeCounts& counts) {
  const std::int64_t k = layout_.k;
  const std::int64_t* at = layout_.b_gather.data();
  quantize_weights([&](std::int64_t c, std::int64_t j) { return b[at[c * k + j]]; }, counts.saturated_activations);
  if (fast_) fast_->set_weights(weight_codes_);
}

void QuantizedLayer::quantize_parameters(const LayerParameters& params) {
  const std::int64_t channels = layout_.groups * layout_.n;
  const std::int64_t k = layout_.k;
  // Weights now that the scales are final (a configured scale replaces the calibrated one); a
  // second activation operand arrives with each sample (set_second_operand).
  if (layout_.b_gather.empty()) {
    quantize_weights([&](std::int64_t c, std::int64_t j) { return static_cast<double>(params.weights[static_cast<std::size_t>(c * k + j)]); },
                     saturated_weights_);
  }
  // Biases in accumulator values, at weight scale x activation scale.
  product_scales_.resize(static_cast<std::size_t>(channels));
  for (std::size_t c = 0; c < product_scales_.size(); ++c) product_scales_[c] = weight_scales_[c] * activation_scale_;
  bias_values_ = accumulator_biases(formats_.accumulator, params.bias, product_scales_, saturated_biases_);
}

double QuantizedLayer::accumulate(const std::uint32_t* w, const std::uint32_t* a, double bias,
                                  std::uint64_t& overflows) {
  if (order_free_ || order_.sequential) return kernel_->chain(bias, w, a, layout_.k, overflows);
  double running = bias;  // the output buffer's (or lane register's) sum
  for (const mapping::Fold& fold : order_.folds) {
    parts_.clear();
    for (const mapping::Segment& seg : fold.segments)
      parts_.push_back(kernel_->chain(0.0, w + seg.begin, a + seg.begin, seg.end - seg.begin, overflows));
    const auto add = [&](double x, double y) { return kernel_->add(x, y, overflows); };
    running = kernel_->add(running, fold.tree ? tree_sum(parts_, add) : chain_sum(parts_, add), overflows);
  }
  return running;
}

void QuantizedLayer::run(const double* in, double* out, double* accumulators, ComputeCounts& counts) {
  const GemmLayout& g = layout_;
  const std::int64_t k = g.k;
  // The input stage: every input element quantized once (x / scale, rounded into the format).
  // Element input_elements_ is what padding feeds, so gathers need no branch.
  // Rows in lanes take units (int values straight from the quantizer where they are the units).
  const auto elements = static_cast<std::size_t>(input_elements_);
  const bool lanes = !lane_gathers_.empty();
  const bool float_lanes = lanes && fast_->lanes_are_floats();
  std::int64_t& saturated = counts.saturated_activations;
  if (lanes && !float_lanes) {
    input_units_.resize(elements + 1);
    if (!fast_->units_are_values() ||
        !activation_quantizer_.quantize_integers(in, activation_scale_, elements, input_units_.data(), saturated)) {
      input_codes_.resize(elements);
      activation_quantizer_.quantize(in, activation_scale_, elements, input_codes_.data(), saturated);
      fast_->units_of(input_codes_.data(), elements, input_units_.data());
    }
    fast_->units_of(&activation_zero_code_, 1, input_units_.data() + elements);
  } else {
    input_codes_.resize(elements + 1);
    activation_quantizer_.quantize(in, activation_scale_, elements, input_codes_.data(), saturated);
    input_codes_[elements] = activation_zero_code_;
    if (float_lanes) {
      input_floats_.resize(elements + 1);
      fast_->floats_of(input_codes_.data(), elements + 1, input_floats_.data());
    }
  }
  zero_activations_by_k_.resize(static_cast<std::size_t>(k));
  for (std::int64_t grp = 0; grp < g.groups; ++grp) {
    // The operands, and the zero operands per k: a compare (vectorized) on the units in lanes
    // or on the codes (ZeroTest's pattern).
    std::fill(zero_activations_by_k_.begin(), zero_activations_by_k_.end(), 0);
    std::int64_t* zero_by_k = zero_activations_by_k_.data();
    const std::uint32_t* rows = nullptr;  // the operand codes, gathered for lanes only when needed
    if (lanes) {
      const std::size_t ld = fast_->lane_stride();
      const GatherPlan& gather = lane_gathers_[static_cast<std::size_t>(grp)];
      if (float_lanes) {
        gather.apply(input_floats_.data(), float_lanes_.data());
        count_zeros(float_lanes_.data(), ld, static_cast<std::size_t>(k), zero_by_k);
      } else {
        gather.apply(input_units_.data(), lanes_.data());
        count_zeros(lanes_.data(), ld, static_cast<std::size_t>(k), zero_by_k);
      }
      const auto padding = static_cast<std::int64_t>(ld) - g.m;  // lanes past m hold zeros
      for (std::int64_t j = 0; j < k; ++j) zero_by_k[j] -= padding;
    } else {
      rows = operand_rows(grp);
      const std::uint32_t mask = activation_zero_.pattern_mask(), zero = activation_zero_.pattern_value();
      for (std::int64_t r = 0; r < g.m; ++r) {
        const std::uint32_t* row = rows + r * k;
        for (std::int64_t j = 0; j < k; ++j) zero_by_k[j] += (row[j] & mask) == zero ? 1 : 0;
      }
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

    if (fast_) {
      fast_values_.resize(static_cast<std::size_t>(g.n * g.m));
      if (float_lanes) {
        fast_->run_float_lanes(grp, float_lanes_.data(), fast_values_.data());
      } else if (lanes) {  // integer sums: always finite, never the scalar chain below
        fast_->run_lanes(grp, lanes_.data(), fast_values_.data());
      } else {
        fast_->run_group(grp, rows, fast_values_.data(), counts.overflowed_accumulations);
      }
    }
    for (std::int64_t c = 0; c < g.n; ++c) {
      const std::int64_t channel = grp * g.n + c;
      const std::uint32_t* w = weight_codes_.data() + channel * k;
      const double bias = bias_values_[static_cast<std::size_t>(channel)];
      const double scale = product_scales_[static_cast<std::size_t>(channel)];
      if (fast_ && g.scatter.empty()) {  // all finite (always for integers): the channel's outputs
        const double* values = fast_values_.data() + c * g.m;
        bool finite = true;  // integer sums always are
        if (!fast_->integer()) {
          for (std::int64_t r = 0; r < g.m; ++r) finite &= std::isfinite(values[r]);
        }
        if (finite) {
          if (accumulators != nullptr) std::copy(values, values + g.m, accumulators + channel * g.m);
          double* o = out + channel * g.m;
          for (std::int64_t r = 0; r < g.m; ++r) o[r] = values[r] * scale;
          continue;
        }
      }
      for (std::int64_t r = 0; r < g.m; ++r) {
        // A non-finite fast result is recomputed by the scalar chain, which applies the
        // accumulator's rules for infinities and NaN and counts the overflow.
        double acc = fast_ ? fast_values_[static_cast<std::size_t>(c * g.m + r)] : 0.0;
        if (!fast_ || !std::isfinite(acc)) {
          counts.scalar_outputs += fast_ ? 1 : 0;
          if (rows == nullptr) rows = operand_rows(grp);
          acc = accumulate(w, rows + r * k, bias, counts.overflowed_accumulations);
        }
        const std::int64_t o = g.output_index(grp, c, r);
        if (accumulators != nullptr) accumulators[o] = acc;
        out[o] = acc * scale;
      }
    }
  }
}

}  // namespace qarch::func
