#include "mapping/fold_plan.hpp"

#include <algorithm>

#include "mapping/fusion.hpp"
#include "mapping/packing.hpp"

namespace qarch::mapping {

std::int64_t TransferList::bytes() const {
  std::int64_t sum = 0;
  for (int i = 0; i < count; ++i) sum += items[static_cast<std::size_t>(i)].bytes;
  return sum;
}

std::int64_t dram_region(Operand operand, bool partial_sums) {
  if (partial_sums) return 3 * kDramRegionBytes;
  switch (operand) {
    case Operand::Weight: return 0;
    case Operand::Input: return kDramRegionBytes;
    case Operand::Output: return 2 * kDramRegionBytes;
  }
  return 0;
}

Transfer tensor_part(Operand operand, bool partial_sums, std::int64_t group, std::int64_t tensor_bytes,
                     std::int64_t begin, std::int64_t end, std::int64_t extent) {
  Transfer t;
  t.operand = operand;
  t.partial_sums = partial_sums;
  t.address = dram_region(operand, partial_sums) + group * tensor_bytes + mul_div(begin, tensor_bytes, extent);
  t.bytes = share_of(tensor_bytes, begin, end, extent);
  return t;
}

Transfer spread_part(Operand operand, std::int64_t group, const BufferTile& tile, std::int64_t fold,
                     std::int64_t folds) {
  const std::int64_t total = tile.dram_bytes * tile.dram_fetches;
  Transfer t;
  t.operand = operand;
  t.bytes = share_of(total, fold, fold + 1, folds);
  const std::int64_t offset = tile.dram_bytes > 0 ? mul_div(fold, total, folds) % tile.dram_bytes : 0;
  t.address = dram_region(operand, false) + group * tile.dram_bytes + offset;
  return t;
}

FoldWork fold_work(const Mapping& mapping, std::int64_t fold_index) {
  FoldWork w;
  w.group = fold_index / mapping.folds_per_group;
  w.fold = fold_index % mapping.folds_per_group;
  mapping.flow->fold_work(mapping, w);
  drop_on_chip(mapping.on_chip, w);
  EdgeDemand demand;
  mapping.flow->edge_demand(mapping, w, demand);
  if (mapping.step_cycles > 1) {
    // A step's operands cross the edge in its first clock; the PEs then work on them alone.
    w.cycles *= mapping.step_cycles;
    std::int64_t steps = 0;
    for (const EdgeRun& run : demand.runs) steps += run.cycles;
    demand.add(EdgeCycle{}, steps * (mapping.step_cycles - 1));
  }
  w.sram_stall_cycles = mapping.ports.stall_cycles(demand);
  return w;
}

namespace {

// The dataflow's stepper, each of its steps held for step_cycles clocks.
class HeldSteps final : public FoldStepper {
 public:
  HeldSteps(std::unique_ptr<FoldStepper> steps, int step_cycles) : steps_(std::move(steps)), hold_(step_cycles) {}
  void step() override {
    if (clock_ % hold_ == 0) steps_->step();
    ++clock_;
  }
  bool done() const override { return steps_->done() && clock_ % hold_ == 0; }
  std::int64_t cycles() const override { return clock_; }
  const FoldAccesses& accesses() const override { return steps_->accesses(); }

 private:
  std::unique_ptr<FoldStepper> steps_;
  int hold_;
  std::int64_t clock_ = 0;
};

}  // namespace

std::unique_ptr<FoldStepper> fold_stepper(const Mapping& mapping, const FoldWork& work) {
  std::unique_ptr<FoldStepper> steps = mapping.flow->stepper(mapping, work);
  if (mapping.step_cycles == 1) return steps;
  return std::make_unique<HeldSteps>(std::move(steps), mapping.step_cycles);
}

DmaProfile dma_profile(const arch::ArchSpec& arch, const Mapping& mapping) {
  DmaProfile d;
  bool loads[3] = {false, false, false};
  const std::int64_t folds = mapping.folds();
  for (std::int64_t i = 0; i < folds; ++i) {
    const FoldWork w = fold_work(mapping, i);
    const std::int64_t in = w.loads.bytes(), out = w.stores.bytes();
    d.read_bytes += in;
    d.write_bytes += out;
    d.load_jobs += in > 0 ? 1 : 0;
    d.store_jobs += out > 0 ? 1 : 0;
    if (i == 0) d.first_load_bytes = in;
    if (i + 1 == folds) d.last_store_bytes = out;
    for (int t = 0; t < w.loads.count; ++t) loads[static_cast<int>(w.loads.items[static_cast<std::size_t>(t)].operand)] = true;
  }
  const arch::BufferSpec* buffers[3] = {&arch.weight_buffer, &arch.input_buffer, &arch.output_buffer};
  d.loads_overlap = true;
  for (int o = 0; o < 3; ++o) d.loads_overlap = d.loads_overlap && (!loads[o] || buffers[o]->double_buffered);
  d.stores_overlap = arch.output_buffer.double_buffered;
  return d;
}

DmaProfile spread_dma(const arch::ArchSpec& arch, const Mapping& mp) {
  DmaProfile d;
  const std::int64_t folds = std::max<std::int64_t>(1, mp.folds());
  d.read_bytes = mp.dram_read_bytes;
  d.write_bytes = mp.dram_write_bytes;
  d.load_jobs = d.read_bytes > 0 ? mp.folds() : 0;
  d.store_jobs = d.write_bytes > 0 ? mp.folds() : 0;
  d.first_load_bytes = ceil_div(d.read_bytes, folds);
  d.last_store_bytes = ceil_div(d.write_bytes, folds);
  d.loads_overlap = arch.input_buffer.double_buffered && (mp.vector || arch.weight_buffer.double_buffered);
  d.stores_overlap = arch.output_buffer.double_buffered;
  return d;
}

}  // namespace qarch::mapping
