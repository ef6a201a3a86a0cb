#pragma once
// What a mapped layer keeps on chip instead of moving through DRAM (fusion.hpp decides it,
// after every layer is planned). Plain data held by Mapping::on_chip; fold_work() drops the
// DRAM transfers it names.

#include <cstdint>
#include <string>

namespace qarch::mapping {

struct OnChip {
  // Resident weights: no weight loads (they were loaded once, before the first inference).
  bool weights = false;
  // Bytes [input_begin, input_end) of the layer's input region in DRAM (offsets from the
  // region's start, fold_plan.hpp) arrive on chip from the previous layer: loads there are
  // dropped. For add, only the operand the previous layer produced.
  std::int64_t input_begin = 0, input_end = 0;
  std::string input_from;  // that previous layer
  // The layer's output stays on chip for the next layer: its final stores are dropped
  // (partial sums spilled between row folds still go to DRAM and back).
  bool output = false;
  std::string fused_into;  // that next layer

  // What the dropped transfers would have moved, whole layer (keep_on_chip fills them).
  std::int64_t weight_bytes_saved = 0;
  std::int64_t input_bytes_saved = 0;
  std::int64_t output_bytes_saved = 0;

  bool any() const { return weights || input_end > input_begin || output; }
  std::int64_t bytes_saved() const { return weight_bytes_saved + input_bytes_saved + output_bytes_saved; }
};

}  // namespace qarch::mapping
