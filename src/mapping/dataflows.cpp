// The table of dataflows: the architecture's `pe_array.dataflow` name (arch/enum_names.hpp)
// to its implementation. Register a new dataflow here.

#include <array>
#include <stdexcept>
#include <utility>

#include "arch/enum_names.hpp"
#include "mapping/adder_tree.hpp"
#include "mapping/dataflow.hpp"
#include "mapping/row_stationary.hpp"
#include "mapping/systolic_dataflow.hpp"

namespace qarch::mapping {

namespace {

using Registry = std::array<std::pair<arch::Dataflow, const Dataflow*>, arch::kDataflowNames.size()>;

Registry register_builtins() {
  using arch::Dataflow;
  return {{{Dataflow::WeightStationary, &systolic_dataflow(Dataflow::WeightStationary)},
           {Dataflow::OutputStationary, &systolic_dataflow(Dataflow::OutputStationary)},
           {Dataflow::InputStationary, &systolic_dataflow(Dataflow::InputStationary)},
           {Dataflow::RowStationary, &row_stationary_dataflow()},
           {Dataflow::AdderTree, &adder_tree_dataflow()}}};
}

}  // namespace

const Dataflow& dataflow(arch::Dataflow name) {
  static const Registry registry = register_builtins();
  for (const auto& [value, flow] : registry)
    if (value == name) return *flow;
  throw std::logic_error("no implementation registered for dataflow '" + std::string(arch::to_string(name)) + "'");
}

}  // namespace qarch::mapping
