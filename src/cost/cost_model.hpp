#pragma once
// The cost model of one design point: its technology table, its multiplier registry and the
// per-action prices derived from the architecture (register-file sizes, buffer capacities and
// banks, PE pitch, DRAM type, clock). price() turns a layer's actions into energy.

#include <array>
#include <map>
#include <string>
#include <vector>

#include "arch/arch_spec.hpp"
#include "cost/actions.hpp"
#include "cost/mac_styles.hpp"
#include "cost/technology.hpp"

namespace qarch::cost {

// Area by component ("mac", "rf_weight", "buffer_input", "vector", "layout", ...), in um^2.
struct AreaReport {
  std::map<std::string, double> area_um2;
  double total_um2 = 0;
  double total_mm2() const { return total_um2 * 1e-6; }
};

struct CostModel {
  arch::ArchSpec arch;
  Technology tech;
  MultiplierRegistry multipliers;
  arch::CostStyle style = arch::CostStyle::Absolute;

  // Prices that depend only on the architecture.
  double dynamic_factor = 1;                // technology calibration of on-chip dynamic energy
  std::array<int, 3> rf_entries{};          // by Store
  std::array<int, 3> rf_word_bits{};        // by Store; the operand's (accumulator's) width if 0
  double pe_pitch_um = 0;                   // one PE-to-PE hop
  double leakage_mw = 0;                    // static power of the whole accelerator
  double unit_pj = 0;                       // eyeriss_normalized: pJ of one unit (one ALU op)
  double array_area_share = 0;              // of the area: the PEs' MACs and register files
  AreaReport area;
};

// Builds the model of `arch` from a loaded table. Throws std::invalid_argument if the PE's
// multiplier style has no cost function.
CostModel make_cost_model(const Technology& tech, const arch::ArchSpec& arch);

// The technologies in `models_dir`: the stems of its *.yaml tables, sorted.
std::vector<std::string> technology_names(const std::string& models_dir);

// Loads models_dir/<arch.technology>.yaml (docs/cost.md) and builds the model. A missing table
// throws config::InputError at the design point's `technology` key, listing the tables there;
// table errors throw config::InputError with file:line:column.
CostModel load_cost_model(const std::string& models_dir, const arch::ArchSpec& arch);

// One MAC of these operands at this model's technology (absolute pJ and um^2, calibration
// applied to the energy).
BlockCost mac_cost(const CostModel& model, const MacOperands& mac);

// One line of a bill: count x price = energy.
struct PricedAction {
  std::string component;  // "mac", "rf_weight", "array", "buffer_output", "dram", "leakage", ...
  std::string action;     // "MAC", "read bits", "write bits", "bits x hop", "cycles", ...
  double count = 0;
  double pj_each = 0;
  std::string basis;      // how the price was obtained (block formula, table entry)
  double energy_pj() const { return count * pj_each; }
};

// What price() multiplies each count of a layer by, in pJ per action: it depends only on the
// layer's formats and multiplier and on the model.
struct UnitPrices {
  double mac = 0, gated_mac = 0, vector_op = 0;
  std::array<double, 3> rf_bit{};  // by Store, read or written
  double array_bit_hop = 0;
  std::array<double, 3> buffer_read_bit{}, buffer_write_bit{};  // by Store
  double dram_bit = 0;
  double leakage_cycle = 0;
};
// `vector_function`: an activation layer's function, whose special-function recipe prices its
// vector ops (special_functions.hpp); empty or not special: one adder at the activation format.
// `array_voltage_ratio`: LayerActions::array_voltage_ratio.
UnitPrices unit_prices(const arch::LayerFormats& formats, const CostModel& model, const std::string& vector_function = {},
                       std::int64_t vector_row = 0, double array_voltage_ratio = 1);
inline UnitPrices unit_prices(const LayerActions& actions, const CostModel& model) {
  return unit_prices(actions.formats(), model, actions.vector_function, actions.vector_row,
                     actions.array_voltage_ratio);
}

// Sum of count x unit price: the total of price() without its words, for callers that price many
// candidates of one layer (mapper_energy.hpp).
double energy_pj(const LayerActions& actions, const UnitPrices& prices);

// Every priced action of a layer, in component order; zero counts included, so that explain()
// shows every component.
std::vector<PricedAction> price(const LayerActions& actions, const CostModel& model);

}  // namespace qarch::cost
