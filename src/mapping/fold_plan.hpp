#pragma once
// The work of one fold of a mapped layer: its closed-form cycles, its buffer traffic and the
// DRAM transfers the DMA makes before (loads) and after (stores) it. Both sim engines walk a
// layer fold by fold through fold_work(), which asks the layer's dataflow; the tiling decisions
// (what is reloaded, what spills) are the mapping's, the timing is the engines'.

#include <array>
#include <cstdint>
#include <memory>

#include "mapping/estimate.hpp"
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
  std::int64_t cycles = 0;          // closed-form cycles of this fold, without SRAM stalls
  std::int64_t sram_stall_cycles = 0;  // cycles the buffers' ports add (buffer_ports.hpp)
  FoldAccesses accesses;            // buffer traffic in elements
  TransferList loads;               // before the fold may start
  TransferList stores;              // after it ends
};

// fold_index in [0, mapping.folds()), groups outermost. Transfers the mapping keeps on chip
// (Mapping::on_chip, fusion.hpp) are left out.
FoldWork fold_work(const Mapping& mapping, std::int64_t fold_index);

// The per-cycle reference of fold `work` (Dataflow::stepper), holding each step for the
// mapping's step_cycles clocks.
std::unique_ptr<FoldStepper> fold_stepper(const Mapping& mapping, const FoldWork& work);

// For the dataflows' fold_work. The DRAM region of an operand (partial sums have their own).
std::int64_t dram_region(Operand operand, bool partial_sums);

// The part [begin, end) of `extent` of a tensor of `tensor_bytes` in group `group`.
Transfer tensor_part(Operand operand, bool partial_sums, std::int64_t group, std::int64_t tensor_bytes,
                     std::int64_t begin, std::int64_t end, std::int64_t extent);

// A tensor read `tile.dram_fetches` times, spread evenly over `folds` folds: fold `fold`'s share,
// wrapping around the tensor's region.
Transfer spread_part(Operand operand, std::int64_t group, const BufferTile& tile, std::int64_t fold,
                     std::int64_t folds);

// The DMA's work over a whole layer, from its folds (for dataflows whose closed form is the sum
// of its folds): bytes, jobs, the first load and the last store. Loads overlap compute when
// every buffer loaded into is double-buffered, stores when the output buffer is.
DmaProfile dma_profile(const arch::ArchSpec& arch, const Mapping& mapping);

// The DMA's work when every fold loads and stores an even share (spread_part) of the mapping's
// DRAM bytes: one job per fold each way.
DmaProfile spread_dma(const arch::ArchSpec& arch, const Mapping& mapping);

}  // namespace qarch::mapping
