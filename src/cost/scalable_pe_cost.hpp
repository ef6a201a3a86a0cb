#pragma once
// The multiplier of a precision-scalable PE (arch/precision_scaling.hpp), priced at the widths
// one layer runs it at, with the area of the PE's hardware at its own widths (docs/cost.md,
// "Precision-scalable PEs"). Integer operands only; the accumulator's adder is priced apart.

#include "cost/blocks.hpp"
#include "cost/mac_styles.hpp"

namespace qarch::cost {

// Energy per MAC of `mac`'s weight and activation widths; area of one PE.
BlockCost scalable_multiplier_cost(const Technology& t, const MacOperands& mac);

// Accumulators a PE needs beside the one every MAC has: a subword PE keeps one per lane.
int extra_accumulators(const MacOperands& mac);

}  // namespace qarch::cost
