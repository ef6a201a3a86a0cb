#include "arch/network_check.hpp"

#include "arch/layer_formats.hpp"
#include "config/diagnostic.hpp"

namespace qarch::arch {

WeightFootprint weight_footprint(const ArchSpec& arch, const workload::Network& network) {
  WeightFootprint f;
  for (const auto& layer : network.layers) {
    if (!layer.has_weights()) continue;
    f.weight_bytes += (numerics::stored_bits(resolve_formats(arch, layer).weight, layer.weight_elements()) + 7) / 8;
  }
  const BufferSpec& buffer = arch.weight_buffer;
  // Weights in the shared global buffer cannot be pinned: the mapper splits it per layer.
  f.buffer_bytes = arch.served_by_global(Tensor::Weight) ? 0
                   : buffer.double_buffered               ? buffer.size_bytes() / 2
                                                          : buffer.size_bytes();
  return f;
}

bool weights_resident(const ArchSpec& arch, const workload::Network& network) {
  switch (arch.memory.weights_resident) {
    case WeightResidency::Resident: return true;
    case WeightResidency::Streamed: return false;
    case WeightResidency::Auto: return weight_footprint(arch, network).fits();
  }
  return false;
}

void check_network(const ArchSpec& arch, const workload::Network& network) {
  config::Diagnostics diagnostics;
  if (arch.memory.weights_resident == WeightResidency::Resident) {
    const WeightFootprint f = weight_footprint(arch, network);
    if (!f.fits()) {
      diagnostics.add(arch.memory.weights_resident_location, "memory.weights_resident",
                      "true, but the weights of " + network.name + " (" + std::to_string(f.weight_bytes) +
                          " bytes) do not fit the weight buffer's usable " + std::to_string(f.buffer_bytes) +
                          " bytes (buffers.weight.size_kib, half of it when double_buffered" +
                          (arch.served_by_global(Tensor::Weight)
                               ? "; weights held by buffers.global, which the mapper splits per layer, are never "
                                 "resident: give them a buffers.weight of their own"
                               : "") +
                          "); use auto or false, or a larger weight buffer");
    }
  }
  for (const auto& layer : network.layers) {
    if (layer.macs() == 0) continue;
    const LayerFormats f = resolve_formats(arch, layer);
    if (const auto why = numerics::check_mac(f.multiplier, f.weight, f.activation, f.accumulator)) {
      diagnostics.add(layer.where, layer.name,
                      "cannot run on " + arch.name + " (" + arch.source_file + "): " + *why);
    } else if (const auto layout = check_block_layout(arch.pe_array, f.weight, f.activation)) {
      diagnostics.add(layer.where, layer.name, "cannot run on " + arch.name + " (" + arch.source_file + "): " + *layout);
    } else if (const auto mode = check_pe_mode(arch.pe_array, f.weight, f.activation)) {
      diagnostics.add(layer.where, layer.name,
                      "cannot run on " + arch.name + " (" + arch.source_file + "): " + *mode +
                          " (the layer's weight_format/activation_format or pe_array's)");
    }
  }
  diagnostics.throw_if_any();
}

}  // namespace qarch::arch
