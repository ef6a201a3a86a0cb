#include "arch/layer_formats.hpp"

namespace qarch::arch {

LayerFormats resolve_formats(const ArchSpec& arch, const workload::Layer& layer) {
  const auto& q = layer.quantization;
  const auto& pe = arch.pe_array;
  return LayerFormats{q.weight_format.value_or(pe.weight_format),
                      q.activation_format.value_or(pe.activation_format),
                      q.accumulator_format.value_or(pe.accumulator_format),
                      q.multiplier.value_or(pe.multiplier)};
}

}  // namespace qarch::arch
