#include "mapping/adder_tree.hpp"

#include <algorithm>
#include <ostream>
#include <vector>

#include "mapping/buffer_tile.hpp"
#include "mapping/fold_plan.hpp"
#include "mapping/group_tensors.hpp"
#include "mapping/mapping.hpp"
#include "mapping/packing.hpp"

namespace qarch::mapping {

namespace {

// Values of `value_bits` a buffer holds in its usable bytes (whole words).
std::int64_t capacity_values(const arch::BufferSpec& buffer, int value_bits) {
  const std::int64_t words = usable_bytes(buffer) * 8 / std::max(1, buffer.word_bits);
  return words * values_per_word(value_bits, buffer.word_bits);
}

// The NFU of one fold, cycle by cycle: a pipeline of a multiplier stage, the tree's levels and
// the lane register. Each cycle the next (position, chunk) enters: the input slots of the chunk
// that hold a real k index are read once and broadcast, every used lane reads one weight per
// real slot and multiplies; the token then climbs one tree level per cycle and is added to the
// lane register, which writes the output when the position's last chunk arrives. Counts and
// length emerge from the slots and the pipeline; the closed form above is not read.
class AdderTreeStepper final : public FoldStepper {
 public:
  AdderTreeStepper(const Mapping& mp, const FoldWork& work)
      : plan_(mp.plan_as<AdderTreePlan>()), k_(mp.k),
        fold_(adder_tree_fold(plan_, mp.n, mp.m, work.fold)),
        stages_(static_cast<std::size_t>(plan_.levels + 2), Token{}) {
    left_ = (fold_.end - fold_.begin) * plan_.chunks;
    done_ = left_ == 0;
  }

  void step() override {
    if (done_) return;
    for (std::size_t s = stages_.size() - 1; s > 0; --s) stages_[s] = stages_[s - 1];
    stages_[0] = Token{};
    if (next_ < left_) {
      stages_[0] = Token{true, next_ % plan_.chunks == plan_.chunks - 1};
      multiply(next_ % plan_.chunks);
      ++next_;
    }
    const Token& sum = stages_.back();  // reaches the lane registers this cycle
    if (sum.busy && sum.last_chunk) {
      for (std::int64_t lane = 0; lane < fold_.used_lanes; ++lane) ++a_.output_writes;
    }
    ++cycle_;
    done_ = next_ == left_ &&
            std::none_of(stages_.begin(), stages_.end() - 1, [](const Token& t) { return t.busy; });
  }
  bool done() const override { return done_; }
  std::int64_t cycles() const override { return cycle_; }
  const FoldAccesses& accesses() const override { return a_; }

 private:
  struct Token {
    bool busy = false;
    bool last_chunk = false;
  };

  void multiply(std::int64_t chunk) {
    for (std::int64_t slot = 0; slot < plan_.width; ++slot) {
      if (chunk * plan_.width + slot >= k_) continue;  // an idle multiplier input
      ++a_.input_reads;                                // broadcast to every lane
      for (std::int64_t lane = 0; lane < fold_.used_lanes; ++lane) {
        ++a_.weight_reads;
        ++a_.macs;
      }
    }
  }

  const AdderTreePlan& plan_;
  std::int64_t k_;
  AdderTreeFold fold_;
  std::vector<Token> stages_;  // [0] multiplier, [1..levels] tree levels, [levels + 1] lane register
  std::int64_t left_ = 0, next_ = 0, cycle_ = 0;
  bool done_ = false;
  FoldAccesses a_;
};

std::int64_t fold_cycles(const AdderTreePlan& plan, std::int64_t positions) {
  return positions * plan.chunks + plan.levels + 1;
}

class AdderTree final : public Dataflow {
 public:
  std::string_view unit() const override { return "adder-tree lanes"; }

  Search plan(const arch::ArchSpec& arch, const workload::Layer& layer, const MapperOptions& options,
              bool keep_all, Mapping& mp) const override {
    auto shared = std::make_shared<AdderTreePlan>();
    AdderTreePlan& p = *shared;
    p.width = mp.rows;
    p.lanes = mp.cols;
    p.chunks = ceil_div(mp.k, p.width);
    while ((std::int64_t{1} << p.levels) < p.width) ++p.levels;
    p.lane_folds = ceil_div(mp.n, p.lanes);
    const GroupTensors e = group_tensors(layer);
    const int wb = mp.weight_bits, ab = mp.activation_bits, cb = mp.accumulator_bits;
    // Positions per tile: their inputs (the ifmap share for convs) fit the input buffer, their
    // Tm accumulators the output buffer; at least one.
    const std::int64_t by_inputs =
        e.inputs > 0 ? mul_div(capacity_values(arch.input_buffer, ab), mp.m, e.inputs) : mp.m;
    const std::int64_t by_outputs = capacity_values(arch.output_buffer, cb) / p.lanes;
    p.positions = std::max<std::int64_t>(1, std::min({mp.m, by_inputs, by_outputs}));
    p.tiles = ceil_div(mp.m, p.positions);
    mp.plan = shared;
    mp.folds_per_group = p.lane_folds * p.tiles;
    mp.cycles_per_fold = fold_cycles(p, p.positions);
    mp.loop_order = "group > lane_fold(n) > position_tile(m) > position > input_chunk(k)";

    const std::int64_t lane_weights = mp.k * std::min(mp.n, p.lanes);
    mp.weights = make_tile(arch.weight_buffer, wb, lane_weights, lane_weights, wb, e.weights);
    mp.weights.dram_fetches = mp.weights.resident ? 1 : p.tiles;
    const std::int64_t tile_inputs = share_of(e.inputs, 0, p.positions, mp.m);
    mp.inputs = make_tile(arch.input_buffer, ab, tile_inputs, e.inputs, ab, e.inputs);
    mp.inputs.dram_fetches = mp.inputs.resident ? 1 : p.lane_folds;
    const std::int64_t tile_outputs = p.positions * std::min(mp.n, p.lanes);
    mp.outputs = make_tile(arch.output_buffer, cb, tile_outputs, tile_outputs, ab, e.outputs);

    FoldAccesses group;
    group.input_reads = p.lane_folds * mp.m * mp.k;
    group.weight_reads = mp.m * mp.k * mp.n;
    group.output_writes = mp.m * mp.n;
    group.macs = mp.m * mp.k * mp.n;
    for (std::int64_t g = 0; g < mp.groups; ++g) mp.accesses += group;
    // Used multiplier slots: k of chunks x Tn per position, n of lane_folds x Tm lanes.
    mp.mapping_efficiency = static_cast<double>(mp.k) / static_cast<double>(p.chunks * p.width) *
                            static_cast<double>(mp.n) / static_cast<double>(p.lane_folds * p.lanes);
    mp.compute_cycles = std::max<std::int64_t>(
        0, mp.groups * p.lane_folds * (mp.m * p.chunks + p.tiles * (p.levels + 1)) - 1);
    const DmaProfile dma = dma_profile(arch, mp);
    mp.dram_read_bytes = dma.read_bytes;
    mp.dram_write_bytes = dma.write_bytes;
    mp.estimate = estimate(arch, mp.compute_cycles, dma);
    return single_candidate(arch, layer, options, keep_all, mp);
  }

  void fold_work(const Mapping& mp, FoldWork& w) const override {
    const AdderTreePlan& p = mp.plan_as<AdderTreePlan>();
    const AdderTreeFold f = adder_tree_fold(p, mp.n, mp.m, w.fold);
    const std::int64_t positions = f.end - f.begin;
    w.cycles = fold_cycles(p, positions);
    w.accesses.input_reads = positions * mp.k;
    w.accesses.weight_reads = positions * mp.k * f.used_lanes;
    w.accesses.output_writes = positions * f.used_lanes;
    w.accesses.macs = positions * mp.k * f.used_lanes;
    const std::int64_t lane0 = f.lane_fold * p.lanes;
    if (f.tile == 0 || !mp.weights.resident)
      w.loads.add(tensor_part(Operand::Weight, false, w.group, mp.weights.dram_bytes, lane0,
                              lane0 + f.used_lanes, mp.n));
    if (f.lane_fold == 0 || !mp.inputs.resident)
      w.loads.add(tensor_part(Operand::Input, false, w.group, mp.inputs.dram_bytes, f.begin, f.end, mp.m));
    // Outputs numbered lane fold major, positions minor: the folds' pieces tile the tensor.
    const std::int64_t base = lane0 * mp.m;
    w.stores.add(tensor_part(Operand::Output, false, w.group, mp.outputs.dram_bytes,
                             base + f.used_lanes * f.begin, base + f.used_lanes * f.end, mp.m * mp.n));
  }

  // No weight or input register files: operands go from the buffers straight into the
  // multipliers. The lane register is read and written once per lane per cycle (chunk). Wires:
  // each input is broadcast to every lane's multiplier (one hop per MAC, activation bits); in a
  // lane the u products of a chunk and the u - 1 sums of the tree each move one level, 2u - 1
  // hops at accumulator bits, 2k - chunks per output.
  PeActions pe_actions(const Mapping& mp) const override {
    const AdderTreePlan& p = mp.plan_as<AdderTreePlan>();
    const std::int64_t lane_cycles = mp.groups * mp.m * p.chunks * mp.n;
    const auto o = static_cast<int>(Operand::Output);
    PeActions a;
    a.rf_read_bits[o] = lane_cycles * mp.accumulator_bits;
    a.rf_write_bits[o] = lane_cycles * mp.accumulator_bits;
    a.array_bits = mp.macs * mp.activation_bits +
                   mp.groups * mp.m * mp.n * (2 * mp.k - p.chunks) * mp.accumulator_bits;
    return a;
  }

  // The lane register starts from the bias and adds one tree sum per chunk of Tn products.
  AccumulationOrder accumulation_order(const Mapping& mp) const override {
    const AdderTreePlan& p = mp.plan_as<AdderTreePlan>();
    AccumulationOrder order;
    order.sequential = false;
    for (std::int64_t b = 0; b < mp.k; b += p.width) {
      Fold fold;
      fold.tree = true;
      for (std::int64_t i = b; i < std::min(mp.k, b + p.width); ++i) fold.segments.push_back({i, i + 1});
      order.folds.push_back(std::move(fold));
    }
    order.name = "adder_tree(" + std::to_string(p.width) + ")";
    return order;
  }

  std::unique_ptr<FoldStepper> stepper(const Mapping& mp, const FoldWork& w) const override {
    return std::make_unique<AdderTreeStepper>(mp, w);
  }

  void describe(const Mapping& mp, std::ostream& out) const override {
    const AdderTreePlan& p = mp.plan_as<AdderTreePlan>();
    out << "  product " << mp.groups << " x (" << mp.m << "x" << mp.k << ").(" << mp.k << "x" << mp.n
        << "); Tn=" << p.width << " inputs x Tm=" << p.lanes << " lanes, " << p.levels
        << "-level adder trees, " << p.chunks << " cycles per output; folds " << p.lane_folds
        << " lane x " << p.tiles << " tiles of " << p.positions << " positions"
        << (mp.groups > 1 ? " per group" : "") << ", " << mp.cycles_per_fold << " cycles each\n";
  }
};

}  // namespace

AdderTreeFold adder_tree_fold(const AdderTreePlan& plan, std::int64_t n, std::int64_t m, std::int64_t fold) {
  AdderTreeFold f;
  f.lane_fold = fold / plan.tiles;
  f.tile = fold % plan.tiles;
  f.used_lanes = std::min(plan.lanes, n - f.lane_fold * plan.lanes);
  f.begin = f.tile * plan.positions;
  f.end = std::min(m, f.begin + plan.positions);
  return f;
}

const Dataflow& adder_tree_dataflow() {
  static const AdderTree tree;
  return tree;
}

}  // namespace qarch::mapping
