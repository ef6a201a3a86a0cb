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

std::int64_t fold_cycles(const AdderTreePlan& p, std::int64_t positions, std::int64_t k_length) {
  return positions * ceil_div(k_length, p.width) + p.levels + 1;
}

// The NFU of one fold, cycle by cycle: a pipeline of a multiplier stage, the tree's levels and
// the lane register. Each cycle the next (position, chunk) enters: the input slots of the chunk
// that hold a real k index are read once and broadcast, every used lane reads one weight per
// real slot and multiplies; the token then climbs one tree level per cycle and reaches the lane
// register, which first loads the position's earlier partial sum (k tiles after the first) and
// writes the sum out with the position's last chunk. Counts and length emerge from the slots and
// the pipeline; the closed form (fold_work) is not read.
class AdderTreeStepper final : public FoldStepper {
 public:
  AdderTreeStepper(const Mapping& mp, const FoldWork& work)
      : plan_(mp.plan_as<AdderTreePlan>()),
        fold_(adder_tree_fold(plan_, mp.m, mp.k, mp.n, work.fold)),
        stages_(static_cast<std::size_t>(plan_.levels + 2), Token{}) {
    for (std::int64_t i = fold_.k_begin; i < fold_.k_end; i += plan_.width) ++chunks_;
    tokens_ = (fold_.end - fold_.begin) * chunks_;
    done_ = tokens_ == 0;
  }

  void step() override {
    if (done_) return;
    for (std::size_t s = stages_.size() - 1; s > 0; --s) stages_[s] = stages_[s - 1];
    stages_[0] = Token{};
    if (next_ < tokens_) {
      const std::int64_t chunk = next_ % chunks_;
      stages_[0] = Token{true, chunk == 0, chunk == chunks_ - 1};
      multiply(fold_.k_begin + chunk * plan_.width);
      ++next_;
    }
    const Token& sum = stages_.back();  // reaches the lane registers this cycle
    for (std::int64_t lane = 0; sum.busy && lane < fold_.used_lanes; ++lane) {
      if (sum.first_chunk && fold_.k_tile > 0) ++a_.psum_reads;
      if (sum.last_chunk) ++a_.output_writes;
    }
    ++cycle_;
    done_ = next_ == tokens_ &&
            std::none_of(stages_.begin(), stages_.end() - 1, [](const Token& t) { return t.busy; });
  }
  bool done() const override { return done_; }
  std::int64_t cycles() const override { return cycle_; }
  const FoldAccesses& accesses() const override { return a_; }

 private:
  struct Token {
    bool busy = false;
    bool first_chunk = false, last_chunk = false;
  };

  void multiply(std::int64_t first) {
    for (std::int64_t slot = 0; slot < plan_.width; ++slot) {
      if (first + slot >= fold_.k_end) continue;  // an idle multiplier input
      ++a_.input_reads;                           // broadcast to every lane
      for (std::int64_t lane = 0; lane < fold_.used_lanes; ++lane) {
        ++a_.weight_reads;
        ++a_.macs;
      }
    }
  }

  const AdderTreePlan& plan_;
  AdderTreeFold fold_;
  std::vector<Token> stages_;  // [0] multiplier, [1..levels] tree levels, [levels + 1] lane register
  std::int64_t chunks_ = 0, tokens_ = 0, next_ = 0, cycle_ = 0;
  bool done_ = false;
  FoldAccesses a_;
};

class AdderTree final : public Dataflow {
 public:
  std::string_view unit() const override { return "adder-tree lanes"; }

  Search plan(const arch::ArchSpec& arch, const workload::Layer& layer, const MapperOptions& options,
              bool keep_all, Mapping& mp) const override {
    auto shared = std::make_shared<AdderTreePlan>();
    AdderTreePlan& p = *shared;
    mp.plan = shared;
    const std::int64_t m = mp.m, k = mp.k, n = mp.n;
    p.width = mp.rows;
    p.lanes = mp.cols;
    while ((std::int64_t{1} << p.levels) < p.width) ++p.levels;
    p.lane_folds = ceil_div(n, p.lanes);
    const std::int64_t lanes = std::min(n, p.lanes);  // of a full lane fold
    const GroupTensors e = group_tensors(layer);
    const Storage wb = mp.weight_storage, ab = mp.activation_storage;
    const int cb = mp.accumulator_bits;
    // k tiles: as many chunks of Tn as a lane fold's weights fit the weight buffer; at least one.
    const std::int64_t fit = usable_values(arch.weight_buffer, wb) / lanes / p.width * p.width;
    p.k_tile = fit >= k ? k : std::max(p.width, fit);
    p.k_tiles = ceil_div(k, p.k_tile);
    // Positions per tile: their inputs for one k tile fit the input buffer, their accumulators
    // the output buffer; at least one.
    const std::int64_t by_inputs =
        e.inputs > 0 ? mul_div(usable_values(arch.input_buffer, ab), m * k, e.inputs * p.k_tile) : m;
    const std::int64_t by_outputs = usable_values(arch.output_buffer, cb) / lanes;
    p.positions = std::max<std::int64_t>(1, std::min({m, by_inputs, by_outputs}));
    p.position_tiles = ceil_div(m, p.positions);
    mp.folds_per_group = p.lane_folds * p.position_tiles * p.k_tiles;
    mp.cycles_per_fold = fold_cycles(p, p.positions, p.k_tile);

    mp.weights = make_tile(arch.weight_buffer, wb, p.k_tile * lanes, p.k_tile * lanes, wb, e.weights);
    const std::int64_t tile_inputs = share_of(e.inputs, 0, p.positions * p.k_tile, m * k);
    mp.inputs = make_tile(arch.input_buffer, ab, tile_inputs, e.inputs, ab, e.inputs);
    mp.inputs.dram_fetches = mp.inputs.resident ? 1 : p.lane_folds;
    const std::int64_t tile_outputs = p.positions * lanes;
    mp.outputs = make_tile(arch.output_buffer, cb, tile_outputs, tile_outputs, ab, e.outputs);

    // The loop order that moves fewer DRAM bytes; positions > k tiles on a tie.
    DmaProfile dma;
    for (bool k_outer : {false, true}) {
      AdderTreePlan candidate = p;
      candidate.k_outer = k_outer;
      Mapping trial = mp;
      trial.plan = std::make_shared<AdderTreePlan>(candidate);
      trial.psum_spill = k_outer && p.k_tiles > 1 && p.position_tiles > 1;
      const DmaProfile d = dma_profile(arch, trial);
      if (!k_outer || d.read_bytes + d.write_bytes < dma.read_bytes + dma.write_bytes) {
        dma = d;
        p.k_outer = k_outer;
        mp.psum_spill = trial.psum_spill;
      }
    }
    const bool weights_stay = mp.weights.resident && (p.k_outer || p.k_tiles == 1);
    mp.weights.dram_fetches = weights_stay ? 1 : p.position_tiles;
    mp.loop_order = p.k_outer ? "group > lane_fold(n) > k_tile > position_tile(m) > position > chunk(k)"
                              : "group > lane_fold(n) > position_tile(m) > k_tile > position > chunk(k)";

    FoldAccesses group;
    group.input_reads = p.lane_folds * m * k;
    group.weight_reads = m * k * n;
    group.output_writes = m * n * p.k_tiles;
    group.psum_reads = m * n * (p.k_tiles - 1);
    group.macs = m * k * n;
    mp.accesses = group.times(mp.groups);
    // Used multiplier slots: k of ceil(k / Tn) x Tn per position, n of lane_folds x Tm lanes.
    const std::int64_t chunks = ceil_div(k, p.width);
    mp.mapping_efficiency = static_cast<double>(k) / static_cast<double>(chunks * p.width) *
                            static_cast<double>(n) / static_cast<double>(p.lane_folds * p.lanes);
    mp.compute_cycles = std::max<std::int64_t>(
        0, mp.groups * p.lane_folds * (m * chunks + p.position_tiles * p.k_tiles * (p.levels + 1)) - 1);
    mp.dram_read_bytes = dma.read_bytes;
    mp.dram_write_bytes = dma.write_bytes;
    mp.estimate = estimate(arch, mp.compute_cycles, dma);
    return single_candidate(arch, layer, options, keep_all, mp);
  }

  void fold_work(const Mapping& mp, FoldWork& w) const override {
    const AdderTreePlan& p = mp.plan_as<AdderTreePlan>();
    const AdderTreeFold f = adder_tree_fold(p, mp.m, mp.k, mp.n, w.fold);
    const std::int64_t positions = f.end - f.begin, k_length = f.k_end - f.k_begin;
    w.cycles = fold_cycles(p, positions, k_length);
    w.accesses.input_reads = positions * k_length;
    w.accesses.weight_reads = positions * k_length * f.used_lanes;
    w.accesses.macs = positions * k_length * f.used_lanes;
    w.accesses.output_writes = positions * f.used_lanes;
    w.accesses.psum_reads = f.k_tile > 0 ? positions * f.used_lanes : 0;
    // Pieces numbered major loop first, so that the folds' pieces tile each tensor.
    const std::int64_t lane0 = f.lane_fold * p.lanes;
    const bool weights_stay = p.k_outer || p.k_tiles == 1;
    if (!mp.weights.resident || !weights_stay || f.position_tile == 0)
      w.loads.add(tensor_part(Operand::Weight, false, w.group, mp.weights.dram_bytes,
                              lane0 * mp.k + f.used_lanes * f.k_begin, lane0 * mp.k + f.used_lanes * f.k_end,
                              mp.n * mp.k));
    if (!mp.inputs.resident || f.lane_fold == 0)
      w.loads.add(tensor_part(Operand::Input, false, w.group, mp.inputs.dram_bytes,
                              f.begin * mp.k + positions * f.k_begin, f.begin * mp.k + positions * f.k_end,
                              mp.m * mp.k));
    const std::int64_t out_begin = lane0 * mp.m + f.used_lanes * f.begin;
    const std::int64_t out_end = lane0 * mp.m + f.used_lanes * f.end;
    if (mp.psum_spill) {
      const std::int64_t psum_bytes = dram_bytes_for(mp.m * mp.n, mp.accumulator_bits);
      if (f.k_tile > 0)
        w.loads.add(tensor_part(Operand::Output, true, w.group, psum_bytes, out_begin, out_end, mp.m * mp.n));
      if (f.k_tile + 1 < p.k_tiles)
        w.stores.add(tensor_part(Operand::Output, true, w.group, psum_bytes, out_begin, out_end, mp.m * mp.n));
    }
    if (f.k_tile + 1 == p.k_tiles)
      w.stores.add(tensor_part(Operand::Output, false, w.group, mp.outputs.dram_bytes, out_begin, out_end,
                               mp.m * mp.n));
  }

  // As the stepper moves operands: cycle g < p x c reads chunk g mod c (its slots' inputs, and
  // as many weights per used lane); the chunk's sum reaches the lane registers levels + 1 cycles
  // later, writing the lanes after a position's last chunk and reading their partial sums back at
  // its first when an earlier k tile left them.
  void edge_demand(const Mapping& mp, const FoldWork& w, EdgeDemand& demand) const override {
    const AdderTreePlan& p = mp.plan_as<AdderTreePlan>();
    const AdderTreeFold f = adder_tree_fold(p, mp.m, mp.k, mp.n, w.fold);
    const std::int64_t k_length = f.k_end - f.k_begin;
    const std::int64_t chunks = ceil_div(k_length, p.width);
    const std::int64_t tokens = (f.end - f.begin) * chunks;
    if (tokens <= 0) return;
    const std::int64_t delay = p.levels + 1;
    const auto at = [&](std::int64_t u) {
      EdgeCycle c;
      if (u < tokens) {
        const std::int64_t chunk = u % chunks;
        const std::int64_t slots = std::min(p.width, k_length - chunk * p.width);
        c[EdgeOp::InputRead] = slots;
        c[EdgeOp::WeightRead] = slots * f.used_lanes;
      }
      if (u >= delay && u - delay < tokens) {
        const std::int64_t chunk = (u - delay) % chunks;
        if (chunk == chunks - 1) c[EdgeOp::OutputWrite] = f.used_lanes;
        if (chunk == 0 && f.k_tile > 0) c[EdgeOp::PsumRead] = f.used_lanes;
      }
      return c;
    };
    // Reads only, both, sums only: inside each region a cycle's traffic depends on it mod c.
    const std::int64_t bounds[4] = {0, std::min(delay, tokens), std::max(delay, tokens), tokens + delay};
    for (int r = 0; r < 3; ++r) {
      const std::int64_t lo = r == 1 ? delay : bounds[r], hi = r == 1 ? tokens : bounds[r + 1];
      if (hi <= lo) continue;
      if (hi - lo <= chunks) {
        for (std::int64_t u = lo; u < hi; ++u) demand.add(at(u), 1);
        continue;
      }
      for (std::int64_t residue = 0; residue < chunks; ++residue) {
        const std::int64_t first = lo + ((residue - lo) % chunks + chunks) % chunks;
        demand.add(at(first), (hi - 1 - first) / chunks + 1);
      }
    }
  }

  // No weight or input register files: operands go from the buffers straight into the
  // multipliers. The lane register is read and written once per lane per cycle (chunk). Wires:
  // each input is broadcast to every lane's multiplier (one hop per MAC, activation bits); in a
  // lane the u products of a chunk and the u - 1 sums of the tree each move one level, 2u - 1
  // hops at accumulator bits, 2k - ceil(k / Tn) per output.
  PeActions pe_actions(const Mapping& mp) const override {
    const AdderTreePlan& p = mp.plan_as<AdderTreePlan>();
    const std::int64_t chunks = ceil_div(mp.k, p.width);
    const std::int64_t lane_cycles = mp.groups * mp.m * chunks * mp.n;
    const auto o = static_cast<int>(Operand::Output);
    PeActions a;
    a.rf_read_bits[o] = lane_cycles * mp.accumulator_bits;
    a.rf_write_bits[o] = lane_cycles * mp.accumulator_bits;
    a.array_bits = mp.macs * mp.activation_bits +
                   mp.groups * mp.m * mp.n * (2 * mp.k - chunks) * mp.accumulator_bits;
    return a;
  }

  // The lane register starts from the bias and adds one tree sum per chunk of Tn products
  // (between k tiles the sum waits in the output buffer at accumulator width, unchanged).
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
        << "-level adder trees; folds " << p.lane_folds << " lane x " << p.position_tiles << " tiles of "
        << p.positions << " positions x " << p.k_tiles << " k tiles of " << p.k_tile
        << (mp.groups > 1 ? " per group" : "") << ", " << mp.cycles_per_fold << " cycles each\n";
  }
};

}  // namespace

AdderTreeFold adder_tree_fold(const AdderTreePlan& p, std::int64_t m, std::int64_t k, std::int64_t n,
                              std::int64_t fold) {
  AdderTreeFold f;
  const std::int64_t per_lane_fold = p.position_tiles * p.k_tiles;
  f.lane_fold = fold / per_lane_fold;
  const std::int64_t inner = fold % per_lane_fold;
  f.k_tile = p.k_outer ? inner / p.position_tiles : inner % p.k_tiles;
  f.position_tile = p.k_outer ? inner % p.position_tiles : inner / p.k_tiles;
  f.used_lanes = std::min(p.lanes, n - f.lane_fold * p.lanes);
  f.begin = f.position_tile * p.positions;
  f.end = std::min(m, f.begin + p.positions);
  f.k_begin = f.k_tile * p.k_tile;
  f.k_end = std::min(k, f.k_begin + p.k_tile);
  return f;
}

const Dataflow& adder_tree_dataflow() {
  static const AdderTree tree;
  return tree;
}

}  // namespace qarch::mapping
