#include "report/make_result.hpp"

#include "arch/layer_formats.hpp"

namespace qarch::report {

std::int64_t packed_bytes(std::int64_t elements, int bits) {
  return (elements * bits + 7) / 8;
}

std::int64_t packed_bytes(std::int64_t elements, const numerics::Format& format) {
  return (numerics::stored_bits(format, elements) + 7) / 8;
}

NetworkResult make_result(const arch::ArchSpec& arch, const workload::Network& network) {
  NetworkResult r;
  r.arch_name = arch.name;
  r.arch_file = arch.source_file;
  r.network_name = network.name;
  r.network_file = network.source_file;
  r.clock_ghz = arch.clock_ghz;
  r.pe_rows = arch.pe_array.rows;
  r.pe_cols = arch.pe_array.cols;
  r.dataflow = std::string(arch::to_string(arch.pe_array.dataflow));
  r.batch = network.batch;
  for (const auto& layer : network.layers) {
    const arch::LayerFormats f = arch::resolve_formats(arch, layer);
    LayerResult l;
    l.name = layer.name;
    l.type = std::string(workload::to_string(layer.type));
    l.input_shape = layer.input.to_string();
    l.output_shape = layer.output.to_string();
    l.weight_format = layer.has_weights() ? f.weight.to_string() : "";
    l.activation_format = f.activation.to_string();
    l.accumulator_format = layer.macs() > 0 ? f.accumulator.to_string() : "";
    l.multiplier = layer.macs() > 0 ? f.multiplier.to_string() : "";
    l.macs = layer.macs();
    l.weight_bytes = packed_bytes(layer.weight_elements(), f.weight);
    l.input_bytes = packed_bytes(layer.input_elements(), f.activation);
    l.output_bytes = packed_bytes(layer.output_elements(), f.activation);
    r.layers.push_back(std::move(l));
  }
  return r;
}

}  // namespace qarch::report
