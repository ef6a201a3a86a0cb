// Eyeriss row-stationary as a Dataflow (row_stationary.hpp has the plan and closed form), and
// its per-cycle reference: every PE of every set of a pass, clocked.

#include <algorithm>
#include <ostream>
#include <vector>

#include "mapping/buffer_tile.hpp"
#include "mapping/fold_plan.hpp"
#include "mapping/group_tensors.hpp"
#include "mapping/mapping.hpp"
#include "mapping/packing.hpp"
#include "mapping/row_stationary.hpp"

namespace qarch::mapping {

namespace {

// One pass, PE by PE and cycle by cycle. For each channel every PE first loads its filter row
// into its register file, one weight per cycle (PEs of a set row share the row: one buffer read
// multicast to them); then slides it along its ifmap row, one MAC per cycle, the ifmap row
// streaming in from the buffer in column order as far as the window needs it (PEs that need the
// same row of the same sample share the stream). After the last channel each set's psums descend
// its columns, one PE row per cycle, to the set's bottom row, which writes them to the output
// buffer (adding what earlier filter-row folds left there). Counts emerge from what each PE asks
// for; rs_pass_accesses and cycles_per_pass are not read.
class RowStationaryStepper final : public FoldStepper {
 public:
  RowStationaryStepper(const Mapping& mp, const FoldWork& work) {
    const RowStationaryMapping& rs = mp.plan_as<RowStationaryMapping>();
    p_ = rs.problem;
    plan_ = rs.plan;
    pass_ = rs_pass_at(p_, plan_, work.fold);
    first_item_ = pass_.round * plan_.sets;
    first_batch_ = first_item_ / p_.filters;
    ifmap_rows_ = (p_.out_h - 1) * p_.stride_h + p_.filter_h;
    delivered_.assign(static_cast<std::size_t>(pass_.batches * ifmap_rows_), 0);
    weight_seen_.assign(static_cast<std::size_t>(pass_.items * pass_.used_h), 0);
    done_ = p_.channels == 0 || pass_.items == 0;
  }

  void step() override {
    if (done_) return;
    if (channel_ < p_.channels) {
      if (loaded_ < p_.filter_w) {
        load_weights();
      } else {
        mac();
      }
      if (channel_ == p_.channels && plan_.set_h == 1) drain();
    } else if (++descended_ == plan_.set_h - 1) {
      drain();
    }
    ++cycle_;
  }
  bool done() const override { return done_; }
  std::int64_t cycles() const override { return cycle_; }
  const FoldAccesses& accesses() const override { return a_; }

 private:
  template <class Visit>
  void each_pe(Visit visit) const {
    for (std::int64_t j = 0; j < pass_.items; ++j)
      for (std::int64_t h = 0; h < pass_.used_h; ++h)
        for (std::int64_t w = 0; w < pass_.used_w; ++w) visit(j, h, w);
  }

  void load_weights() {  // weight (filter, channel_, filter row, loaded_) into each PE
    std::fill(weight_seen_.begin(), weight_seen_.end(), 0);
    each_pe([&](std::int64_t j, std::int64_t h, std::int64_t) {
      char& seen = weight_seen_[static_cast<std::size_t>(j * pass_.used_h + h)];
      if (!seen) ++a_.weight_reads;
      seen = 1;
    });
    ++loaded_;
  }

  void mac() {  // output column fo, filter column s of this channel
    const std::int64_t fo = slid_ / p_.filter_w, s = slid_ % p_.filter_w;
    const std::int64_t col = fo * p_.stride_w + s;
    each_pe([&](std::int64_t j, std::int64_t h, std::int64_t w) {
      const std::int64_t batch = (first_item_ + j) / p_.filters - first_batch_;
      const std::int64_t e = pass_.e_fold * plan_.set_w + w;
      const std::int64_t r = pass_.r_fold * plan_.set_h + h;
      const std::int64_t row = e * p_.stride_h + r;
      std::int64_t& next = delivered_[static_cast<std::size_t>(batch * ifmap_rows_ + row)];
      if (col >= next) {  // the row's stream advances to this column
        a_.input_reads += col + 1 - next;
        next = col + 1;
      }
      ++a_.macs;
    });
    if (++slid_ == p_.out_w * p_.filter_w) {  // next channel: new filter rows, new ifmap rows
      ++channel_;
      loaded_ = slid_ = 0;
      std::fill(delivered_.begin(), delivered_.end(), 0);
    }
  }

  void drain() {  // the sets' bottom rows write one psum row per item and output row
    each_pe([&](std::int64_t, std::int64_t h, std::int64_t) {
      if (h != 0) return;  // one psum row per set column
      a_.output_writes += p_.out_w;
      if (pass_.r_fold > 0) a_.psum_reads += p_.out_w;
    });
    done_ = true;
  }

  RowStationaryProblem p_;
  RowStationaryPlan plan_;
  RowStationaryPass pass_;
  std::int64_t first_item_ = 0, first_batch_ = 0, ifmap_rows_ = 0;
  std::vector<std::int64_t> delivered_;  // per (sample, ifmap row): columns streamed so far
  std::vector<char> weight_seen_;        // per (item, set row): weight read this cycle
  std::int64_t channel_ = 0, loaded_ = 0, slid_ = 0, descended_ = 0;
  std::int64_t cycle_ = 0;
  bool done_ = false;
  FoldAccesses a_;
};

class RowStationary final : public Dataflow {
 public:
  std::string_view unit() const override { return "row-stationary PE sets"; }

  Search plan(const arch::ArchSpec& arch, const workload::Layer& layer, const MapperOptions& options,
              bool keep_all, Mapping& mp) const override {
    auto rs = std::make_shared<RowStationaryMapping>();
    RowStationaryProblem& p = rs->problem;
    if (layer.type == workload::LayerType::Conv2d) {
      p = {layer.batch, layer.input.c / mp.groups, layer.filters / mp.groups, layer.kernel_h,
           layer.kernel_w, layer.output.h, layer.output.w, layer.stride_h, layer.stride_w};
    } else {  // a product is a 1x1 convolution over a 1 x m "image"
      p = {1, mp.k, mp.n, 1, 1, 1, mp.m, 1, 1};
    }
    rs->plan = plan_row_stationary(p, mp.rows, mp.cols);
    const RowStationaryPlan& plan = rs->plan;
    mp.plan = rs;
    mp.folds_per_group = plan.passes;
    mp.cycles_per_fold = plan.cycles_per_pass;
    mp.loop_order = "group > filter_row_fold > output_row_fold > item_round(batch, filter) > channel";
    const GroupTensors e = group_tensors(layer);
    const Storage wb = mp.weight_storage, ab = mp.activation_storage;
    const int cb = mp.accumulator_bits;
    const std::int64_t pass_weights = plan.sets * p.channels * plan.set_h * p.filter_w;
    mp.weights = make_tile(arch.weight_buffer, wb, pass_weights, e.weights, wb, e.weights);
    mp.weights.dram_fetches = mp.weights.resident ? 1 : plan.e_folds;
    const std::int64_t pass_inputs =
        p.channels * ((plan.set_w - 1) * p.stride_h + plan.set_h) * plan.ifmap_row_values;
    mp.inputs = make_tile(arch.input_buffer, ab, pass_inputs, e.inputs, ab, e.inputs);
    // Item rounds of one (filter-row fold, output-row fold) read the same ifmap rows: when a
    // pass's rows fit, they stay across the rounds (as Eyeriss's GLB keeps them) and each
    // filter-row fold reads the ifmap once; otherwise every round reads them again.
    const bool rows_stay = sram_bytes_for(pass_inputs, ab, arch.input_buffer.word_bits) <= mp.inputs.capacity_bytes;
    mp.inputs.dram_fetches = mp.inputs.resident ? 1 : rows_stay ? plan.r_folds : plan.r_folds * plan.item_rounds;
    const std::int64_t pass_outputs = plan.sets * plan.set_w * p.out_w;
    mp.outputs = make_tile(arch.output_buffer, cb, pass_outputs, pass_outputs, ab, e.outputs);
    double used_pes = 0;
    FoldAccesses group;
    for (std::int64_t i = 0; i < plan.passes; ++i) {
      const RowStationaryPass pass = rs_pass_at(p, plan, i);
      group += rs_pass_accesses(p, plan, pass);
      used_pes += static_cast<double>(pass.items * pass.used_h * pass.used_w);
    }
    mp.accesses = group.times(mp.groups);
    mp.mapping_efficiency = used_pes / (static_cast<double>(plan.passes) * mp.rows * mp.cols);
    mp.compute_cycles = std::max<std::int64_t>(0, mp.folds() * mp.cycles_per_fold - 1);
    mp.dram_read_bytes = mp.groups * (mp.weights.dram_bytes * mp.weights.dram_fetches +
                                      mp.inputs.dram_bytes * mp.inputs.dram_fetches);
    mp.dram_write_bytes = mp.groups * mp.outputs.dram_bytes;
    mp.estimate = estimate(arch, mp.compute_cycles, spread_dma(arch, mp));
    return single_candidate(arch, layer, options, keep_all, mp);
  }

  // Every pass loads and stores its even share of each tensor.
  void fold_work(const Mapping& mp, FoldWork& w) const override {
    const RowStationaryMapping& rs = mp.plan_as<RowStationaryMapping>();
    const RowStationaryPass pass = rs_pass_at(rs.problem, rs.plan, w.fold);
    w.cycles = rs.plan.cycles_per_pass;  // one clock per step (fold_plan.cpp holds each step)
    w.accesses = rs_pass_accesses(rs.problem, rs.plan, pass);
    const std::int64_t folds = mp.folds_per_group;
    w.loads.add(spread_part(Operand::Weight, w.group, mp.weights, w.fold, folds));
    w.loads.add(spread_part(Operand::Input, w.group, mp.inputs, w.fold, folds));
    w.stores.add(spread_part(Operand::Output, w.group, mp.outputs, w.fold, folds));
  }

  // As the stepper moves operands. Per channel: filter_w cycles each loading one weight per
  // (item, set row); then out_w x filter_w MAC cycles in which every ifmap stream (sample, row)
  // advances to the column the window needs: one column per cycle for the first output column,
  // then stride_w columns per output column. The drain writes every psum row at once, in the
  // last MAC cycle (set_h = 1) or after set_h - 1 descent cycles.
  void edge_demand(const Mapping& mp, const FoldWork& w, EdgeDemand& demand) const override {
    const RowStationaryMapping& rs = mp.plan_as<RowStationaryMapping>();
    const RowStationaryProblem& p = rs.problem;
    const RowStationaryPass pass = rs_pass_at(p, rs.plan, w.fold);
    if (p.channels == 0 || pass.items == 0) return;
    const std::int64_t s = p.filter_w, stride = p.stride_w;
    const std::int64_t rows = p.stride_h >= pass.used_h ? pass.used_w * pass.used_h
                                                        : (pass.used_w - 1) * p.stride_h + pass.used_h;
    const std::int64_t streams = pass.batches * rows;
    const auto cycle = [](EdgeOp op, std::int64_t n) {
      EdgeCycle c;
      c[op] = n;
      return c;
    };
    std::vector<EdgeRun> channel;  // one channel's cycles, in order
    channel.push_back({cycle(EdgeOp::WeightRead, pass.items * pass.used_h), s});
    channel.push_back({cycle(EdgeOp::InputRead, streams), s});
    for (std::int64_t fo = 1; fo < p.out_w; ++fo) {
      if (stride < s) {
        channel.push_back({EdgeCycle{}, s - stride});
        channel.push_back({cycle(EdgeOp::InputRead, streams), stride});
      } else {
        channel.push_back({cycle(EdgeOp::InputRead, streams * (stride - s + 1)), 1});
        channel.push_back({cycle(EdgeOp::InputRead, streams), s - 1});
      }
    }
    while (channel.back().cycles == 0) channel.pop_back();
    EdgeCycle drain;
    drain[EdgeOp::OutputWrite] = pass.items * pass.used_w * p.out_w;
    if (pass.r_fold > 0) drain[EdgeOp::PsumRead] = drain[EdgeOp::OutputWrite];
    for (std::size_t i = 0; i < channel.size(); ++i) {
      const bool last = i + 1 == channel.size() && rs.plan.set_h == 1;
      demand.add(channel[i].cycle, channel[i].cycles * p.channels - (last ? 1 : 0));
    }
    if (rs.plan.set_h == 1) {
      EdgeCycle merged = channel.back().cycle;
      merged[EdgeOp::OutputWrite] = drain[EdgeOp::OutputWrite];
      merged[EdgeOp::PsumRead] = drain[EdgeOp::PsumRead];
      demand.add(merged, 1);
    } else {
      demand.add(drain, 1);
    }
  }

  // Per MAC a weight, an input and a psum are read from the register files and the psum written;
  // the RFs are filled with what the buffers delivered; psums pass up each set's columns: in
  // each pass every output row of every item crosses used_h - 1 PEs.
  PeActions pe_actions(const Mapping& mp) const override {
    const RowStationaryMapping& rs = mp.plan_as<RowStationaryMapping>();
    const std::int64_t macs = mp.macs;
    const int wb = mp.weight_bits, ab = mp.activation_bits, cb = mp.accumulator_bits;
    PeActions a;
    const auto w = static_cast<int>(Operand::Weight), i = static_cast<int>(Operand::Input),
               o = static_cast<int>(Operand::Output);
    a.rf_read_bits[w] = macs * wb;
    a.rf_write_bits[w] = mp.accesses.weight_reads * wb;
    a.rf_read_bits[i] = macs * ab;
    a.rf_write_bits[i] = mp.accesses.input_reads * ab;
    a.rf_read_bits[o] = macs * cb;
    a.rf_write_bits[o] = macs * cb;
    std::int64_t hops = 0;
    for (std::int64_t f = 0; f < rs.plan.passes; ++f) {
      const RowStationaryPass pass = rs_pass_at(rs.problem, rs.plan, f);
      hops += pass.items * pass.used_w * rs.problem.out_w * std::max<std::int64_t>(0, pass.used_h - 1);
    }
    a.array_bits = hops * mp.groups * cb;
    return a;
  }

  // One filter row per PE: k is permuted to (filter row, channel, filter column); a fold is a
  // set of set_h filter rows, each a segment of channels x filter columns.
  AccumulationOrder accumulation_order(const Mapping& mp) const override {
    const RowStationaryMapping& rs = mp.plan_as<RowStationaryMapping>();
    AccumulationOrder order;
    order.sequential = false;
    const std::int64_t rows = rs.problem.filter_h;  // R
    const std::int64_t cols = rs.problem.filter_w;  // S
    const std::int64_t channels = mp.k / (rows * cols);
    const std::int64_t per_row = channels * cols;
    if (rows > 1) {  // original k = (c, r, s); permuted position (r, c, s)
      order.permutation.resize(static_cast<std::size_t>(mp.k));
      std::size_t pos = 0;
      for (std::int64_t r = 0; r < rows; ++r)
        for (std::int64_t c = 0; c < channels; ++c)
          for (std::int64_t s = 0; s < cols; ++s) order.permutation[pos++] = (c * rows + r) * cols + s;
    }
    const std::int64_t set_h = rs.plan.set_h;
    for (std::int64_t r0 = 0; r0 < rows; r0 += set_h) {
      Fold fold;
      for (std::int64_t r = r0; r < std::min(rows, r0 + set_h); ++r)
        fold.segments.push_back(Segment{r * per_row, (r + 1) * per_row});
      order.folds.push_back(std::move(fold));
    }
    order.name = "row_stationary(" + std::to_string(set_h) + ")";
    return order;
  }

  std::unique_ptr<FoldStepper> stepper(const Mapping& mp, const FoldWork& w) const override {
    return std::make_unique<RowStationaryStepper>(mp, w);
  }

  void describe(const Mapping& mp, std::ostream& out) const override {
    const RowStationaryPlan& rs = mp.plan_as<RowStationaryMapping>().plan;
    out << "  product " << mp.groups << " x (" << mp.m << "x" << mp.k << ").(" << mp.k << "x" << mp.n
        << "); PE set " << rs.set_h << "x" << rs.set_w << ", " << rs.sets << " sets; folds "
        << rs.r_folds << " filter-row x " << rs.e_folds << " output-row x " << rs.item_rounds
        << " item rounds = " << rs.passes << " passes of " << rs.cycles_per_pass << " cycles\n";
  }
};

}  // namespace

const Dataflow& row_stationary_dataflow() {
  static const RowStationary rs;
  return rs;
}

}  // namespace qarch::mapping
