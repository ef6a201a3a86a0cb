#pragma once
// The formats and multiplier style one layer actually runs with: the layer's own overrides
// (mixed precision) where given, the architecture's PE defaults otherwise.

#include "arch/arch_spec.hpp"
#include "workload/layer.hpp"

namespace qarch::arch {

struct LayerFormats {
  numerics::Format weight;
  numerics::Format activation;
  numerics::Format accumulator;
  numerics::MultiplierStyle multiplier;
};

LayerFormats resolve_formats(const ArchSpec& arch, const workload::Layer& layer);

}  // namespace qarch::arch
