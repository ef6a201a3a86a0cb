#include "func/compute_layer.hpp"

#include "func/block_layer.hpp"
#include "func/quantized_layer.hpp"

namespace qarch::func {

std::unique_ptr<ComputeLayer> make_compute_layer(const arch::ArchSpec& arch, const workload::Layer& layer,
                                                 const mapping::Mapping& mapping, const LayerParameters& params,
                                                 bool per_channel, double activation_max_abs,
                                                 double activation_mean_abs, double b_max_abs, double b_mean_abs) {
  // The block dot-product unit is its own datapath; every other style multiplies scalars (and
  // refuses block-scaled formats, naming block_dot).
  if (arch::resolve_formats(arch, layer).multiplier.kind() == numerics::MultiplierKind::BlockDot) {
    return std::make_unique<BlockLayer>(arch, layer, mapping, params, per_channel, activation_max_abs,
                                        activation_mean_abs, b_max_abs, b_mean_abs);
  }
  return std::make_unique<QuantizedLayer>(arch, layer, mapping, params, per_channel, activation_max_abs,
                                          activation_mean_abs, b_max_abs, b_mean_abs);
}

}  // namespace qarch::func
