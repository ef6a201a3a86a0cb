#pragma once
// A dataflow: how one kind of hardware unit executes a layer's matrix product (or, for the
// vector unit, a layer without MACs). It is the one place that knows its own plan; everything
// above (simulator, cost model, functional execution, `qarch map`) asks it through this
// interface. Adding a dataflow is one file with a Dataflow subclass, one line in
// dataflows.cpp (register_builtins), its value in arch/arch_spec.hpp and name in
// arch/enum_names.hpp; docs/architecture.md lists what each must provide.
//
// A Dataflow
// - plans a layer: fills the mapping's plan, its folds, buffer tiles and closed-form totals
//   (choosing among candidates with the mapper where it has a choice);
// - describes one fold's work (geometry-free: cycles, buffer traffic, DRAM transfers);
// - gives a fold's per-cycle buffer demand in closed form (what crosses the array's edge in
//   each cycle, buffer_ports.hpp), from which the fast engine prices SRAM stalls;
// - gives the PEs' actions in closed form (register files, PE-to-PE hops) for the cost model;
// - gives the accumulation order functional mode must follow;
// - builds a per-cycle reference stepper for one fold, which sim's reference engine clocks.
//   A stepper derives cycles and traffic from moving operands through the PEs; it must never
//   read the closed form's counts, so that the engine cross-check (tests/sim) can fail.

#include <array>
#include <cstdint>
#include <iosfwd>
#include <memory>
#include <string_view>

#include "arch/arch_spec.hpp"
#include "mapping/accumulation_order.hpp"
#include "mapping/buffer_ports.hpp"
#include "mapping/mapper.hpp"
#include "workload/layer.hpp"

namespace qarch::mapping {

struct Mapping;
struct FoldWork;
struct FoldAccesses;

// A dataflow's own plan of a layer (its geometry); held by Mapping, read back by the dataflow
// that made it (Mapping::plan_as).
struct DataflowPlan {
  virtual ~DataflowPlan() = default;
};

// What the PEs do in a layer, in bits, in closed form: register-file traffic (by Operand:
// weight, input, output) summed over PEs, and bits moved one PE-to-PE hop summed over hops.
struct PeActions {
  std::array<std::int64_t, 3> rf_read_bits{};
  std::array<std::int64_t, 3> rf_write_bits{};
  std::int64_t array_bits = 0;
};

// One fold, clock by clock. The accesses are counted as operands move (FoldAccesses).
class FoldStepper {
 public:
  virtual ~FoldStepper() = default;
  virtual void step() = 0;  // one clock cycle
  virtual bool done() const = 0;
  virtual std::int64_t cycles() const = 0;
  virtual const FoldAccesses& accesses() const = 0;
};

class Dataflow {
 public:
  virtual ~Dataflow() = default;

  // What executes the layer, for reports: e.g. "systolic array".
  virtual std::string_view unit() const = 0;

  // Plans `layer` into `mapping`, whose common fields (map_layer's base: formats, product,
  // array size) are set. Returns the mapper's search: every candidate with keep_all, else at
  // least the chosen one; dataflows without a choice return their one mapping as a candidate.
  virtual Search plan(const arch::ArchSpec& arch, const workload::Layer& layer,
                      const MapperOptions& options, bool keep_all, Mapping& mapping) const = 0;

  // Fills `work` (group and fold set) with the fold's cycles, accesses, loads and stores.
  virtual void fold_work(const Mapping& mapping, FoldWork& work) const = 0;

  // The cycles of fold `work` (filled by fold_work) as a histogram of edge traffic: exactly what
  // the stepper moves across the edge in each of its cycles, derived without running it.
  virtual void edge_demand(const Mapping& mapping, const FoldWork& work, EdgeDemand& demand) const = 0;

  virtual PeActions pe_actions(const Mapping& mapping) const = 0;

  virtual AccumulationOrder accumulation_order(const Mapping& mapping) const = 0;

  // `mapping` and `work` must outlive the stepper.
  virtual std::unique_ptr<FoldStepper> stepper(const Mapping& mapping, const FoldWork& work) const = 0;

  // The dataflow's lines of `qarch map` (product, plan, folds), each starting "  ".
  virtual void describe(const Mapping& mapping, std::ostream& out) const = 0;
  // What the mapper chose, after the tiles; nothing when there was no choice.
  virtual void describe_choice(const Mapping& /*mapping*/, std::ostream& /*out*/) const {}
};

// For dataflows without a choice: their one mapping as the search's only candidate, priced
// (objectives energy and edp) when keep_all asks for the whole search.
Search single_candidate(const arch::ArchSpec& arch, const workload::Layer& layer,
                        const MapperOptions& options, bool keep_all, const Mapping& mapping);

// The dataflow named by the architecture (dataflows.cpp holds the table).
const Dataflow& dataflow(arch::Dataflow name);

// The vector unit beside the array: layers without MACs.
const Dataflow& vector_unit();

}  // namespace qarch::mapping
