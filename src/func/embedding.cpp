#include "func/embedding.hpp"

#include <algorithm>
#include <cmath>

#include "arch/layer_formats.hpp"
#include "func/ptq.hpp"
#include "numerics/block_format.hpp"

namespace qarch::func {

EmbeddingTable::EmbeddingTable(const arch::ArchSpec& arch, const workload::Layer& layer,
                               const LayerParameters& params)
    : dim_(layer.out_features) {
  const numerics::Format format = arch::resolve_formats(arch, layer).weight;
  const std::vector<float>& w = params.weights;
  values_.resize(w.size());
  if (const auto block = format.block_format()) {
    const float nvfp4_scale = numerics::nvfp4_tensor_scale(numerics::tensor_amax(w.data(), w.size()));
    std::vector<numerics::QuantizedBlock> blocks;
    for (std::size_t row = 0; row * static_cast<std::size_t>(dim_) < w.size(); ++row) {
      blocks.clear();
      const std::size_t begin = row * static_cast<std::size_t>(dim_);
      numerics::quantize_into_blocks(*block, w.data() + begin, static_cast<std::size_t>(dim_),
                                     arch.pe_array.block_scale_rule, arch.pe_array.block_rounding, nvfp4_scale, blocks);
      std::size_t at = begin;
      for (const numerics::QuantizedBlock& q : blocks) {
        saturated_ += q.saturated;
        for (std::size_t j = 0; j < q.values.size() && at < begin + static_cast<std::size_t>(dim_); ++j) {
          values_[at++] = q.values[j];
        }
      }
    }
    return;
  }
  double max_abs = 0, sum_abs = 0;
  for (const float v : w) {
    max_abs = std::max(max_abs, std::fabs(static_cast<double>(v)));
    sum_abs += std::fabs(static_cast<double>(v));
  }
  const double mean_abs = w.empty() ? 0 : sum_abs / static_cast<double>(w.size());
  scale_ = layer.quantization.weight_scale ? *layer.quantization.weight_scale : tensor_scale(format, max_abs, mean_abs);
  const ValueQuantizer quantize(format);
  for (std::size_t i = 0; i < w.size(); ++i) {
    values_[i] = numerics::decode(format, quantize(static_cast<double>(w[i]) / scale_, saturated_)) * scale_;
  }
}

void EmbeddingTable::gather(const double* ids, double* out, std::int64_t tokens) const {
  for (std::int64_t t = 0; t < tokens; ++t) {
    const double* row = values_.data() + static_cast<std::int64_t>(ids[t]) * dim_;
    for (std::int64_t d = 0; d < dim_; ++d) out[d * tokens + t] = row[d];
  }
}

}  // namespace qarch::func
