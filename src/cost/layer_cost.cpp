#include "cost/layer_cost.hpp"

#include <cstdio>
#include <sstream>

namespace qarch::cost {

double LayerCost::on_chip_pj() const {
  const auto dram = energy_pj.find("dram");
  return total_pj - (dram == energy_pj.end() ? 0.0 : dram->second);
}

LayerCost& operator+=(LayerCost& a, const LayerCost& b) {
  for (const auto& [component, pj] : b.energy_pj) a.energy_pj[component] += pj;
  a.total_pj += b.total_pj;
  return a;
}

LayerCost layer_cost(const LayerActions& actions, const CostModel& model) {
  LayerCost c;
  for (const PricedAction& p : price(actions, model)) {
    c.energy_pj[p.component] += p.energy_pj();
    c.total_pj += p.energy_pj();
  }
  return c;
}

namespace {

std::string fmt(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

}  // namespace

std::string explain(const LayerActions& actions, const CostModel& model, const std::string& title) {
  std::ostringstream out;
  const std::vector<PricedAction> bill = price(actions, model);
  out << (title.empty() ? std::string("layer") : title) << ": " << model.arch.name << ", "
      << model.tech.name << " (" << model.tech.file << "), cost style "
      << arch::to_string(model.style) << "\n";
  char line[512];
  std::snprintf(line, sizeof line, "%-14s %-12s %18s   %-12s   %16s   %s\n", "component", "action",
                "count", "x pJ each", "= energy pJ", "price from");
  out << line;
  LayerCost total;
  for (const PricedAction& p : bill) {
    std::snprintf(line, sizeof line, "%-14s %-12s %18s x %-12s = %16s   %s\n", p.component.c_str(),
                  p.action.c_str(), fmt("%.0f", p.count).c_str(), fmt("%.6g", p.pj_each).c_str(),
                  fmt("%.6g", p.energy_pj()).c_str(), p.basis.c_str());
    out << line;
    total.energy_pj[p.component] += p.energy_pj();
    total.total_pj += p.energy_pj();
  }
  out << "per component:\n";
  for (const auto& [component, pj] : total.energy_pj) {
    const double share = total.total_pj > 0 ? 100.0 * pj / total.total_pj : 0;
    std::snprintf(line, sizeof line, "  %-14s %16s pJ  %5.1f%%\n", component.c_str(), fmt("%.6g", pj).c_str(), share);
    out << line;
  }
  std::snprintf(line, sizeof line, "  %-14s %16s pJ  (%s pJ/MAC over %lld MACs)\n", "total",
                fmt("%.6g", total.total_pj).c_str(), fmt("%.4g", total.pj_per_mac(actions.macs)).c_str(),
                static_cast<long long>(actions.macs));
  out << line;
  return out.str();
}

double peak_tops(const arch::ArchSpec& arch) {
  // A precision-scalable array at its own widths (pe_array's formats).
  const arch::PeArraySpec& pe = arch.pe_array;
  const arch::PeMode mode = arch::pe_mode(pe, pe.weight_format, pe.activation_format);
  return 2.0 * pe.rows * pe.cols * mode.lanes / mode.step_cycles * arch.clock_ghz * 1e-3;
}

double tops_per_w(std::int64_t macs, double energy_pj) {
  return energy_pj > 0 ? 2.0 * static_cast<double>(macs) / energy_pj : 0;
}

double tops_per_mm2(const CostModel& model) {
  const double mm2 = model.area.total_mm2();
  return mm2 > 0 ? peak_tops(model.arch) / mm2 : 0;
}

double power_mw(double energy_pj, std::int64_t cycles, const CostModel& model) {
  // pJ per cycle x GHz = mW.
  return cycles > 0 ? energy_pj / static_cast<double>(cycles) * model.arch.clock_ghz : 0;
}

}  // namespace qarch::cost
