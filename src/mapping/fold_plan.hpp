#pragma once
// The work of one fold of a mapped layer: its geometry, its closed-form cycles, its buffer
// traffic and the DRAM transfers the DMA makes before (loads) and after (stores) it. Both sim
// engines walk a layer fold by fold through fold_work(); the tiling decisions (what is reloaded,
// what spills) are the mapping's, the timing is the engines'.

#include <array>
#include <cstdint>

#include "mapping/mapping.hpp"

namespace qarch::mapping {

// DRAM layout: each operand of a layer has its own region; groups follow each other inside it.
inline constexpr std::int64_t kDramRegionBytes = std::int64_t{1} << 36;

struct Transfer {
  Operand operand = Operand::Weight;
  bool partial_sums = false;  // accumulator-width psums spilled between row folds
  std::int64_t address = 0;   // byte address in DRAM
  std::int64_t bytes = 0;
};

struct TransferList {
  std::array<Transfer, 3> items;
  int count = 0;
  void add(const Transfer& t) {
    if (t.bytes > 0) items[static_cast<std::size_t>(count++)] = t;
  }
  std::int64_t bytes() const;
};

struct FoldWork {
  std::int64_t group = 0;
  std::int64_t fold = 0;            // index inside the group
  SystolicFold systolic;            // systolic geometry
  RowStationaryPass pass;           // rs geometry
  std::int64_t cycles = 0;          // closed-form cycles of this fold
  FoldAccesses accesses;            // buffer traffic in elements
  TransferList loads;               // before the fold may start
  TransferList stores;              // after it ends
};

// fold_index in [0, mapping.folds()), groups outermost.
FoldWork fold_work(const Mapping& mapping, std::int64_t fold_index);

}  // namespace qarch::mapping
