#include "mapping/vector_unit.hpp"

#include <algorithm>
#include <ostream>

#include "mapping/buffer_tile.hpp"
#include "mapping/fold_plan.hpp"
#include "mapping/mapping.hpp"
#include "mapping/packing.hpp"

namespace qarch::mapping {

using workload::LayerType;

namespace {

std::int64_t vector_ops(const workload::Layer& layer) {
  switch (layer.type) {
    case LayerType::MaxPool:
    case LayerType::AvgPool:  // every output reads its whole window
      return layer.output_elements() * layer.kernel_h * layer.kernel_w;
    case LayerType::Activation:  // softmax and the norms: a reduction pass, then normalization
      return layer.input_elements() *
             ((layer.function == "softmax" || layer.function == "layernorm" || layer.function == "rmsnorm") ? 2 : 1);
    default: return layer.input_elements();
  }
}

// Input elements [begin, end) of fold `fold`: chunks of what the input buffer holds.
struct Chunk {
  std::int64_t begin = 0, end = 0;
};

Chunk chunk_of(const VectorPlan& v, std::int64_t fold) {
  const std::int64_t b = fold * v.chunk_elements;
  return {b, std::min(v.input_elements, b + v.chunk_elements)};
}

// The lanes, cycle by cycle: each cycle every lane reads one element of the chunk's share of
// the layer's work until none is left, and the outputs that the elements read so far complete
// are written (floor(outputs x read / work) of them by the end of the cycle). What it derives is
// the fold's length and traffic from lane occupancy; the chunk boundaries and the layer's work
// (VectorPlan) are the plan's.
class VectorStepper final : public FoldStepper {
 public:
  VectorStepper(const Mapping& mp, const FoldWork& work) : v_(mp.plan_as<VectorPlan>()) {
    const Chunk c = chunk_of(v_, work.fold);
    work_ = share_of(v_.ops, c.begin, c.end, v_.input_elements);
    outputs_ = share_of(v_.output_elements, c.begin, c.end, v_.input_elements);
    done_ = work_ == 0;
  }
  void step() override {
    if (done_) return;
    for (int lane = 0; lane < v_.lanes && read_ < work_; ++lane) {
      ++a_.input_reads;
      ++read_;
    }
    a_.output_writes = mul_div(outputs_, read_, work_);
    done_ = read_ == work_;
    ++cycle_;
  }
  bool done() const override { return done_; }
  std::int64_t cycles() const override { return cycle_; }
  const FoldAccesses& accesses() const override { return a_; }

 private:
  const VectorPlan& v_;
  std::int64_t work_ = 0, outputs_ = 0, read_ = 0, cycle_ = 0;
  bool done_ = false;
  FoldAccesses a_;
};

class VectorUnit final : public Dataflow {
 public:
  std::string_view unit() const override { return "vector unit"; }

  Search plan(const arch::ArchSpec& arch, const workload::Layer& layer, const MapperOptions& options,
              bool keep_all, Mapping& mp) const override {
    mp.vector = true;
    mp.groups = 1;
    mp.output_bits = mp.activation_bits;
    auto plan = std::make_shared<VectorPlan>();
    VectorPlan& v = *plan;
    v.lanes = mp.cols;
    v.ops = vector_ops(layer);
    v.input_elements = layer.input_elements();
    v.output_elements = layer.output_elements();
    mp.plan = plan;
    const Storage ab = mp.activation_storage;
    const auto& ibuf = arch.input_buffer;
    v.chunk_elements = std::max<std::int64_t>(v.lanes, usable_values(ibuf, ab));
    mp.folds_per_group = ceil_div(v.input_elements, v.chunk_elements);
    mp.loop_order = "chunk of the input buffer > lanes";
    mp.inputs = make_tile(ibuf, ab, std::min(v.chunk_elements, v.input_elements), v.input_elements,
                          ab, v.input_elements);
    const std::int64_t chunk_outputs =
        share_of(v.output_elements, 0, std::min(v.chunk_elements, v.input_elements), v.input_elements);
    mp.outputs = make_tile(arch.output_buffer, ab, chunk_outputs, chunk_outputs, ab, v.output_elements);
    mp.weights = make_tile(arch.weight_buffer, mp.weight_storage, 0, 0, mp.weight_storage, 0);
    mp.accesses.input_reads = v.ops;
    mp.accesses.output_writes = v.output_elements;
    std::int64_t cycles = 0;
    for (std::int64_t i = 0; i < mp.folds_per_group; ++i) {
      const Chunk c = chunk_of(v, i);
      cycles += ceil_div(share_of(v.ops, c.begin, c.end, v.input_elements), v.lanes);
    }
    mp.compute_cycles = std::max<std::int64_t>(0, cycles - 1);
    mp.mapping_efficiency =
        cycles > 0 ? static_cast<double>(v.ops) / (static_cast<double>(cycles) * mp.cols) : 0;
    mp.dram_read_bytes = mp.inputs.dram_bytes;
    mp.dram_write_bytes = mp.outputs.dram_bytes;
    mp.estimate = estimate(arch, mp.compute_cycles, spread_dma(arch, mp));
    return single_candidate(arch, layer, options, keep_all, mp);
  }

  void fold_work(const Mapping& mp, FoldWork& w) const override {
    const VectorPlan& v = mp.plan_as<VectorPlan>();
    const Chunk c = chunk_of(v, w.fold);
    const std::int64_t ops = share_of(v.ops, c.begin, c.end, v.input_elements);
    w.cycles = ceil_div(ops, v.lanes);
    w.accesses.input_reads = ops;
    w.accesses.output_writes = share_of(v.output_elements, c.begin, c.end, v.input_elements);
    w.loads.add(tensor_part(Operand::Input, false, 0, mp.inputs.dram_bytes, c.begin, c.end, v.input_elements));
    w.stores.add(tensor_part(Operand::Output, false, 0, mp.outputs.dram_bytes, c.begin, c.end, v.input_elements));
  }

  // As the stepper: ceil(work / lanes) cycles of `lanes` reads (the last one the rest); after
  // cycle u, floor(outputs x reads / work) outputs are written. Writes per full cycle differ by
  // at most one: q = floor(outputs x lanes / work) or q + 1.
  void edge_demand(const Mapping& mp, const FoldWork& w, EdgeDemand& demand) const override {
    const VectorPlan& v = mp.plan_as<VectorPlan>();
    const std::int64_t work = w.accesses.input_reads, outputs = w.accesses.output_writes;
    if (work == 0) return;
    const std::int64_t full = ceil_div(work, v.lanes) - 1;  // cycles before the last
    const std::int64_t q = mul_div(outputs, v.lanes, work);
    const std::int64_t before_last = mul_div(outputs, v.lanes * full, work);  // written by then
    EdgeCycle c;
    c[EdgeOp::InputRead] = v.lanes;
    c[EdgeOp::OutputWrite] = q + 1;
    demand.add(c, before_last - q * full);
    c[EdgeOp::OutputWrite] = q;
    demand.add(c, full - (before_last - q * full));
    c[EdgeOp::InputRead] = work - v.lanes * full;
    c[EdgeOp::OutputWrite] = outputs - before_last;
    demand.add(c, 1);
  }

  PeActions pe_actions(const Mapping&) const override { return {}; }  // no PEs

  AccumulationOrder accumulation_order(const Mapping&) const override { return {}; }  // no sums

  std::unique_ptr<FoldStepper> stepper(const Mapping& mp, const FoldWork& w) const override {
    return std::make_unique<VectorStepper>(mp, w);
  }

  void describe(const Mapping& mp, std::ostream& out) const override {
    const VectorPlan& v = mp.plan_as<VectorPlan>();
    out << "  " << v.ops << " element reads on " << v.lanes << " lanes, " << mp.folds_per_group
        << " chunks of " << v.chunk_elements << " inputs\n";
  }
};

}  // namespace

const Dataflow& vector_unit() {
  static const VectorUnit unit;
  return unit;
}

}  // namespace qarch::mapping
