#include "cost/voltage_scaling.hpp"

#include <algorithm>
#include <cmath>

namespace qarch::cost {

double relative_speed(const Technology& t, double voltage_v) {
  const double vt = t.at("voltage", "threshold_v"), alpha = t.at("voltage", "alpha");
  const double vn = t.at("voltage", "nominal_v");
  const auto speed = [&](double v) { return v > vt ? std::pow(v - vt, alpha) / v : 0.0; };
  return speed(voltage_v) / speed(vn);
}

OperatingPoint operating_point(const Technology& t, double slowdown) {
  OperatingPoint p;
  p.slowdown = std::max(1.0, slowdown);
  p.nominal_v = p.voltage_v = t.at("voltage", "nominal_v");
  if (p.slowdown == 1.0) return p;
  const double need = 1.0 / p.slowdown;
  // The speed rises with V above the threshold, so bisection finds the lowest V that is fast
  // enough; 60 halvings leave less than 1e-18 V.
  double lo = std::max(t.at("voltage", "min_v"), t.at("voltage", "threshold_v"));
  double hi = p.nominal_v;
  if (lo >= hi) return p;
  if (relative_speed(t, lo) >= need) {
    p.voltage_v = lo;
    return p;
  }
  for (int i = 0; i < 60; ++i) {
    const double mid = 0.5 * (lo + hi);
    (relative_speed(t, mid) >= need ? hi : lo) = mid;
  }
  p.voltage_v = hi;
  return p;
}

double dvafs_slowdown(const arch::ArchSpec& arch, const mapping::Mapping& mp) {
  const arch::PeArraySpec& pe = arch.pe_array;
  if (!pe.dvafs || mp.vector) return 1;
  const arch::PeMode own = arch::pe_mode(pe, pe.weight_format, pe.activation_format);
  const double rate = static_cast<double>(mp.lanes) / mp.step_cycles;
  return std::max(1.0, rate / (static_cast<double>(own.lanes) / own.step_cycles));
}

}  // namespace qarch::cost
