#include "arch/network_check.hpp"

#include "arch/layer_formats.hpp"
#include "config/diagnostic.hpp"

namespace qarch::arch {

void check_network(const ArchSpec& arch, const workload::Network& network) {
  config::Diagnostics diagnostics;
  for (const auto& layer : network.layers) {
    if (layer.macs() == 0) continue;
    const LayerFormats f = resolve_formats(arch, layer);
    if (const auto why = numerics::check_mac(f.multiplier, f.weight, f.activation, f.accumulator)) {
      diagnostics.add(layer.where, layer.name,
                      "cannot run on " + arch.name + " (" + arch.source_file + "): " + *why);
    }
  }
  diagnostics.throw_if_any();
}

}  // namespace qarch::arch
