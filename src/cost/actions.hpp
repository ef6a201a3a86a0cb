#pragma once
// What one layer did, as the cost model's input: action counts per component, independent of
// how they were obtained (the closed-form mapping here, the simulation's LayerStats through an
// adapter in the layers above). Counts are whole-layer totals (all groups, the whole batch).

#include <array>
#include <cstdint>

#include "arch/arch_spec.hpp"
#include "arch/layer_formats.hpp"
#include "mapping/mapping.hpp"
#include "workload/layer.hpp"

namespace qarch::cost {

// Index of a per-operand register file or buffer.
enum class Store { Weight = 0, Input = 1, Output = 2 };
constexpr std::array<Store, 3> kStores = {Store::Weight, Store::Input, Store::Output};
const char* to_string(Store store);  // "weight", "input", "output"

// Traffic of one register file or buffer, in bits. For buffers: bits = words x word_bits (a
// buffer always moves whole words); for register files: values x value bits.
struct StoreTraffic {
  std::int64_t read_bits = 0;
  std::int64_t write_bits = 0;
};

struct LayerActions {
  // Arithmetic: every MAC of a layer has the same formats and style.
  numerics::Format weight_format = numerics::Format::make_int(8);
  numerics::Format activation_format = numerics::Format::make_int(8);
  numerics::Format accumulator_format = numerics::Format::make_int(32);
  numerics::MultiplierStyle multiplier = numerics::MultiplierStyle::make(numerics::MultiplierKind::Exact);
  std::int64_t macs = 0;        // all MACs, gated ones included
  std::int64_t gated_macs = 0;  // of those, skipped by zero gating (operand zero)
  std::int64_t vector_ops = 0;  // element operations of the vector unit (layers without MACs)
  std::string vector_function;  // an activation layer's function: its special-function recipe
  std::int64_t vector_row = 0;  // elements per row of its per-row work (mapping::Mapping::function_row)

  std::array<StoreTraffic, 3> register_files;  // per-PE scratchpads, summed over PEs; by Store
  std::int64_t array_bits = 0;                 // bits moved one PE-to-PE hop, summed over hops
  std::array<StoreTraffic, 3> buffers;         // on-chip SRAM buffers, by Store

  std::int64_t dram_read_bytes = 0;
  std::int64_t dram_write_bytes = 0;

  std::int64_t cycles = 0;  // the layer's duration, for leakage
  // The PE array's supply over the nominal one (DVAFS, voltage_scaling.hpp): the MACs, register
  // files and PE-to-PE hops cost its square, the array's share of the leakage scales with it.
  double array_voltage_ratio = 1;

  arch::LayerFormats formats() const { return {weight_format, activation_format, accumulator_format, multiplier}; }
  StoreTraffic& rf(Store s) { return register_files[static_cast<int>(s)]; }
  const StoreTraffic& rf(Store s) const { return register_files[static_cast<int>(s)]; }
  StoreTraffic& buffer(Store s) { return buffers[static_cast<int>(s)]; }
  const StoreTraffic& buffer(Store s) const { return buffers[static_cast<int>(s)]; }
};

// The actions of a mapped layer in closed form (docs/cost.md, "Actions from the mapping"):
// register files and PE-to-PE hops as the layer's dataflow states them (Dataflow::pe_actions,
// the only place they are counted), buffer words including DRAM fills and drains, DRAM bytes,
// and compute cycles. No zero gating (that needs values).
LayerActions actions_from(const arch::ArchSpec& arch, const mapping::Mapping& mapping,
                          const arch::LayerFormats& formats);

// map_layer() and resolve_formats(), then the above. Objectives other than cycles need the
// options of mapper_options() (mapper_energy.hpp), so that the nest is the simulator's.
LayerActions actions_from(const arch::ArchSpec& arch, const workload::Layer& layer,
                          const mapping::MapperOptions& options = {});

}  // namespace qarch::cost
