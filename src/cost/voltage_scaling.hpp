#pragma once
// Dynamic voltage-accuracy-frequency scaling (DVAFS; Moons et al., DATE 2017, and Envision,
// ISSCC 2017): a precision-scalable array that finishes a low-precision layer in fewer clocks
// can instead run it at a lower clock for the time of its full-precision mode, at the lowest
// supply that clock allows. The delay of the array's logic follows the alpha-power law (the
// technology table's `voltage` entry): the clock a supply V sustains is proportional to
// (V - V_t)^alpha / V. Dynamic energy scales with V^2, leakage power with V
// (docs/cost.md, "Voltage scaling").

#include "arch/arch_spec.hpp"
#include "cost/technology.hpp"
#include "mapping/mapping.hpp"

namespace qarch::cost {

struct OperatingPoint {
  double slowdown = 1;   // clock period over the nominal one
  double voltage_v = 0;  // the array's supply
  double nominal_v = 0;
  double voltage_ratio() const { return nominal_v > 0 ? voltage_v / nominal_v : 1; }
};

// The clock a supply of `voltage_v` sustains, relative to the nominal supply's.
double relative_speed(const Technology& t, double voltage_v);

// The lowest supply (not below the table's min_v) whose clock is at least the nominal one
// divided by `slowdown` (>= 1). Slowdown 1: the nominal supply.
OperatingPoint operating_point(const Technology& t, double slowdown);

// How much slower than nominal the array may clock a layer under pe_array.dvafs: its products
// per clock in the layer's mode over those at the PE's own widths (1 when not faster, for layers
// on the vector unit, and without dvafs).
double dvafs_slowdown(const arch::ArchSpec& arch, const mapping::Mapping& mapping);

}  // namespace qarch::cost
