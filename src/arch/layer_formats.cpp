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

int spatial_reduction_width(const PeArraySpec& pe) {
  switch (pe.dataflow) {
    case Dataflow::WeightStationary:
    case Dataflow::InputStationary:
    case Dataflow::AdderTree: return pe.rows;
    case Dataflow::OutputStationary:
    case Dataflow::RowStationary: return 0;
  }
  return 0;
}

std::optional<std::string> check_block_layout(const PeArraySpec& pe, const numerics::Format& weight,
                                              const numerics::Format& activation) {
  for (const numerics::Format* f : {&weight, &activation}) {
    if (!f->is_block_scaled()) continue;
    if (pe.dataflow == Dataflow::RowStationary) {
      return "rs sums a filter's rows across PE rows and its columns in time, so a block of " + f->to_string() +
             " would straddle both; block formats run on ws, os, is and adder_tree (pe_array.dataflow)";
    }
    const int width = spatial_reduction_width(pe);
    if (width > 0 && width % f->block_size() != 0) {
      std::string legal;
      int largest = 1;
      for (int b = 1; b <= width; ++b) {
        if (width % b != 0) continue;
        legal += (legal.empty() ? "" : ", ") + std::to_string(b);
        largest = b;
      }
      numerics::BlockFormat fitting = *f->block_format();
      fitting.block = largest;
      const std::string fix = fitting.kind == numerics::BlockKind::Nvfp4
                                  ? "nvfp4's blocks are always 16 elements: use a multiple of 16 rows"
                                  : "e.g. " + fitting.to_string() + ", or a multiple of " +
                                        std::to_string(f->block_size()) + " rows";
      return f->to_string() + " has blocks of " + std::to_string(f->block_size()) +
             " elements, which do not divide the " + std::to_string(width) + " rows that " +
             std::string(to_string(pe.dataflow)) + " sums at once (pe_array.rows); block sizes that do: " + legal +
             " (" + fix + ")";
    }
  }
  return std::nullopt;
}

}  // namespace qarch::arch
