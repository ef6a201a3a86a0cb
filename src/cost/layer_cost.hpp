#pragma once
// Energy of a layer by component, the "count x price = energy" table behind it, and the
// throughput figures of a design point.

#include <map>
#include <string>

#include "cost/actions.hpp"
#include "cost/cost_model.hpp"

namespace qarch::cost {

// Energy by component in pJ: "mac", "vector", "rf_weight", "rf_input", "rf_output", "array",
// "buffer_weight", "buffer_input", "buffer_output", "dram", "leakage". Every component is
// present (zero when unused); total_pj is their sum.
struct LayerCost {
  std::map<std::string, double> energy_pj;
  double total_pj = 0;

  double on_chip_pj() const;  // total without DRAM
  double pj_per_mac(std::int64_t macs) const { return macs > 0 ? total_pj / static_cast<double>(macs) : 0; }
};

LayerCost& operator+=(LayerCost& a, const LayerCost& b);

LayerCost layer_cost(const LayerActions& actions, const CostModel& model);

// A table, one line per priced action: component, action, count x price each = energy, and the
// price's basis; then the total per component and the layer total. `title` heads it (e.g. the
// layer name). Every number printed is the one summed, so totals can be checked by hand.
std::string explain(const LayerActions& actions, const CostModel& model, const std::string& title = {});

// Peak throughput: 2 operations (multiply, add) per product per cycle, in TOPS (1e12 op/s);
// a precision-scalable array at its own widths.
double peak_tops(const arch::ArchSpec& arch);
// Operations per energy: 2 macs / energy, in TOPS/W (= op/pJ).
double tops_per_w(std::int64_t macs, double energy_pj);
// Peak TOPS per mm^2 of the model's area.
double tops_per_mm2(const CostModel& model);
// Average power of `energy_pj` spent over `cycles` at the model's clock, in mW.
double power_mw(double energy_pj, std::int64_t cycles, const CostModel& model);

}  // namespace qarch::cost
