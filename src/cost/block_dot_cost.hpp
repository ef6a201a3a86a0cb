#pragma once
// The block dot-product unit (multiplier style block_dot) as the blocks of blocks.hpp, per MAC:
// the unit multiplies element significands, shifts each product to its place in an exact fixed-
// point sum, adds a block's products in an adder tree as wide as that sum, and once per block
// combines the two shared scales, converts the sum to the accumulator and adds it there
// (numerics/block_dot.hpp executes exactly this; docs/cost.md, "Block dot-product unit").
// Per-block parts are amortized over the block: they cost 1/B of one operation per MAC.

#include <string>
#include <vector>

#include "cost/blocks.hpp"
#include "cost/mac_styles.hpp"

namespace qarch::cost {

struct DotPart {
  std::string action;   // what one operation of the part is: "products", "tree adds", ...
  double per_mac = 1;   // operations per MAC: 1, (B - 1) / B for the tree, 1 / B per block
  BlockCost cost;       // of one operation
  std::string basis;    // the blocks and widths it is made of
};

// The parts of one block_dot MAC, in datapath order; the last part is the accumulation.
// Precondition: numerics::check_mac accepted the operands (one block-scaled operand at least).
std::vector<DotPart> block_dot_parts(const Technology& t, const MacOperands& mac);

// Everything but the accumulation, per MAC (the registry's "block_dot" entry).
BlockCost block_dot_multiplier(const Technology& t, const MacOperands& mac);
// The accumulation, once per block, per MAC (accumulator_cost for block_dot).
BlockCost block_dot_accumulation(const Technology& t, const MacOperands& mac);

// Bits of the exact fixed-point block sum the adder tree adds (two's complement).
int block_sum_bits(const MacOperands& mac);

}  // namespace qarch::cost
