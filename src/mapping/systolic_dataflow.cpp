#include "mapping/systolic_dataflow.hpp"

#include <algorithm>
#include <ostream>
#include <vector>

#include "mapping/fold_plan.hpp"
#include "mapping/group_tensors.hpp"
#include "mapping/packing.hpp"

namespace qarch::mapping {

namespace {

// The product of one group on the array, as the mapper sees it.
SystolicProblem problem_of(const arch::ArchSpec& arch, const Mapping& mp, const GroupTensors& e) {
  SystolicProblem p;
  p.dataflow = mp.dataflow;
  p.rows = mp.rows;
  p.cols = mp.cols;
  p.skew_cols = mp.cols / mp.lanes;
  p.shape = systolic_shape(mp.dataflow, mp.m, mp.k, mp.n);
  p.grid = fold_grid(p.shape, mp.rows, mp.cols);
  p.groups = mp.groups;
  const auto w = static_cast<int>(Operand::Weight), i = static_cast<int>(Operand::Input),
             o = static_cast<int>(Operand::Output);
  p.value_bits[w] = p.dram_bits[w] = mp.weight_storage;
  p.value_bits[i] = p.dram_bits[i] = p.dram_bits[o] = mp.activation_storage;
  p.value_bits[o] = mp.accumulator_bits;
  p.elements[w] = e.weights;
  p.elements[i] = e.inputs;
  p.elements[o] = e.outputs;
  p.buffers[w] = arch.weight_buffer;
  p.buffers[i] = arch.input_buffer;
  p.buffers[o] = arch.output_buffer;
  p.psum_bytes = dram_bytes_for(mp.m * mp.n, mp.accumulator_bits);
  return p;
}

void apply_nest(const arch::ArchSpec& arch, const SystolicProblem& p, const LoopNest& nest, Mapping& mp) {
  auto plan = std::make_shared<SystolicPlan>();
  plan->shape = p.shape;
  plan->grid = p.grid;
  plan->nest = nest;
  mp.plan = plan;
  const SystolicTiling tiling = tile_systolic(p, nest);
  mp.folds_per_group = tiling.folds_per_group;
  mp.cycles_per_fold = tiling.cycles_per_fold;
  mp.weights = tiling.tiles[static_cast<int>(Operand::Weight)];
  mp.inputs = tiling.tiles[static_cast<int>(Operand::Input)];
  mp.outputs = tiling.tiles[static_cast<int>(Operand::Output)];
  mp.psum_spill = tiling.psum_spill;
  const std::string stream = loop_name(mp.dataflow, Loop::Tile);
  mp.loop_order = "group > " + to_string(nest, mp.dataflow) + " > stream(" +
                  stream.substr(0, stream.size() - 5) + ")";
  const SystolicFigures f = systolic_figures(mp.dataflow, mp.rows, mp.cols, mp.m, mp.k, mp.n);
  mp.mapping_efficiency = f.mapping_efficiency;  // every (row, col) fold repeats once per tile
  FoldAccesses a = f.accesses;  // the stream splits over tiles; the stationary tile reloads
  if (mp.dataflow == arch::Dataflow::WeightStationary) a.weight_reads *= nest.tiles;
  if (mp.dataflow == arch::Dataflow::InputStationary) a.input_reads *= nest.tiles;
  mp.accesses = a.times(mp.groups);
  mp.compute_cycles = tiling.compute_cycles;
  mp.dram_read_bytes = tiling.dma.read_bytes;
  mp.dram_write_bytes = tiling.dma.write_bytes;
  mp.estimate = estimate(arch, mp.compute_cycles, tiling.dma);
}

// A candidate's energy for objectives energy and edp: the layer mapped with the candidate's nest,
// priced by the caller (MapperOptions::price_layer). Empty for the cycles objective, or when the
// caller gave no price (search_systolic then says what is missing).
EnergyOfCandidate energy_of(const arch::ArchSpec& arch, const workload::Layer& layer,
                            const SystolicProblem& problem, const Mapping& base, const MapperOptions& options) {
  if (arch.mapper.objective == arch::MapperObjective::Cycles || !options.price_layer) return {};
  return [&arch, &problem, &base, price = options.price_layer(layer)](const Candidate& c) {
    Mapping mp = base;
    apply_nest(arch, problem, c.nest, mp);
    return price(mp, c.estimate.total_cycles);
  };
}

// The fold's range [begin, end) along a loop, of extent loop_elements().
struct Range {
  std::int64_t begin = 0, end = 0;
};

Range fold_range(const SystolicFold& f, int rows, int cols, Loop loop) {
  switch (loop) {
    case Loop::Row: return {f.row_fold * rows, f.row_fold * rows + f.used_rows};
    case Loop::Col: return {f.col_fold * cols, f.col_fold * cols + f.used_cols};
    case Loop::Tile: return {f.t_begin, f.t_begin + f.t};
  }
  return {};
}

// An operand's piece of this fold, as a share of its DRAM tensor of `tensor_bytes`. Pieces are
// numbered along the operand's major loop, then its minor loop, so over all folds of a group the
// distinct pieces cover [0, major x minor elements) exactly once.
Transfer piece(const Mapping& mp, const SystolicShape& shape, const SystolicFold& f, std::int64_t group,
               Operand operand, bool psums, std::int64_t tensor_bytes) {
  const OperandSpan span = operand_span(mp.dataflow, operand);
  const Range a = fold_range(f, mp.rows, mp.cols, span.major);
  const Range b = fold_range(f, mp.rows, mp.cols, span.minor);
  const std::int64_t eb = loop_elements(shape, span.minor);
  const std::int64_t extent = loop_elements(shape, span.major) * eb;
  const std::int64_t begin = a.begin * eb + (a.end - a.begin) * b.begin;
  const std::int64_t end = a.begin * eb + (a.end - a.begin) * b.end;
  return tensor_part(operand, psums, group, tensor_bytes, begin, end, extent);
}

std::int64_t nest_position(const SystolicFold& f, Loop loop) {
  return loop == Loop::Row ? f.row_fold : loop == Loop::Col ? f.col_fold : f.tile;
}

class Systolic final : public Dataflow {
 public:
  explicit Systolic(arch::Dataflow name) : name_(name) {}

  std::string_view unit() const override { return "systolic array"; }

  Search plan(const arch::ArchSpec& arch, const workload::Layer& layer, const MapperOptions& options,
              bool keep_all, Mapping& mp) const override {
    const SystolicProblem problem = problem_of(arch, mp, group_tensors(layer));
    const Mapping base = mp;
    Search search = search_systolic(arch, problem, options, keep_all,
                                    energy_of(arch, layer, problem, base, options));
    apply_nest(arch, problem, search.candidates[search.chosen].nest, mp);
    mp.candidates = static_cast<std::int64_t>(search.considered);
    return search;
  }

  // systolic_tiling.hpp: an operand is loaded when its reuse loop's index is 0, or at every fold
  // when its reuse set does not fit. Partial sums (ws, is) accumulate across row folds: kept in
  // the output buffer when they fit, else read back before and written out after every row fold
  // but the first and last; the final outputs leave after the last row fold (os: after every fold).
  void fold_work(const Mapping& mp, FoldWork& w) const override {
    const SystolicPlan& plan = mp.plan_as<SystolicPlan>();
    const SystolicFold f = systolic_fold(mp, w.fold);
    w.cycles = systolic_cycles_per_fold(mp.dataflow, mp.rows, mp.cols / mp.lanes, f.t);
    w.accesses = systolic_fold_accesses(mp.dataflow, f);
    // Stationary operand first (ws: weights; is: inputs), os: inputs first.
    const bool ws = mp.dataflow == arch::Dataflow::WeightStationary;
    for (Operand op : {ws ? Operand::Weight : Operand::Input, ws ? Operand::Input : Operand::Weight}) {
      const BufferTile& t = op == Operand::Weight ? mp.weights : mp.inputs;
      if (!t.resident || nest_position(f, reuse_loop(mp.dataflow, op)) == 0)
        w.loads.add(piece(mp, plan.shape, f, w.group, op, false, t.dram_bytes));
    }
    const Loop reduction = reuse_loop(mp.dataflow, Operand::Output);
    const std::int64_t reductions = reduction == Loop::Row   ? plan.grid.row_folds
                                    : reduction == Loop::Col ? plan.grid.col_folds
                                                             : plan.nest.tiles;
    const std::int64_t step = nest_position(f, reduction);
    if (mp.psum_spill) {
      const std::int64_t all_psum_bytes = dram_bytes_for(mp.m * mp.n, mp.accumulator_bits);
      if (step > 0) w.loads.add(piece(mp, plan.shape, f, w.group, Operand::Output, true, all_psum_bytes));
      if (step + 1 < reductions)
        w.stores.add(piece(mp, plan.shape, f, w.group, Operand::Output, true, all_psum_bytes));
    }
    if (step + 1 == reductions)
      w.stores.add(piece(mp, plan.shape, f, w.group, Operand::Output, false, mp.outputs.dram_bytes));
  }

  // As the stepper moves operands (systolic_stepper.cpp): ws/is preload the stationary tile one
  // row per cycle (used_rows cycles of used_cols reads), then row r streams t operands from
  // cycle rows + r and column c's sums leave the bottom edge from cycle 2 rows - 1 + c; os
  // streams row r's operands from cycle r and column c's from cycle c, and PE (r, c) writes its
  // sum at cycle t - 1 + r + c. With L lanes, virtual column c is in physical column c / L: the
  // columns of lane l (c = l, l + L, ...) form a stream of their own, skewed like physical ones.
  void edge_demand(const Mapping& mp, const FoldWork& w, EdgeDemand& demand) const override {
    const SystolicFold f = systolic_fold(mp, w.fold);
    const std::int64_t lanes = mp.lanes;
    const auto lane_cols = [&](std::int64_t lane) { return (f.used_cols - lane + lanes - 1) / lanes; };
    std::vector<StaggeredStream> streams;
    if (mp.dataflow == arch::Dataflow::OutputStationary) {
      streams.push_back({EdgeOp::InputRead, 0, f.used_rows, f.t});
      for (std::int64_t l = 0; l < lanes; ++l) {
        streams.push_back({EdgeOp::WeightRead, 0, lane_cols(l), f.t});
        streams.push_back({EdgeOp::OutputWrite, f.t - 1, f.used_rows, lane_cols(l)});
      }
      add_streams(streams, demand);
      return;
    }
    const bool ws = mp.dataflow == arch::Dataflow::WeightStationary;
    EdgeCycle preload;
    preload[ws ? EdgeOp::WeightRead : EdgeOp::InputRead] = f.used_cols;
    demand.add(preload, f.used_rows);
    const std::int64_t rows = mp.rows;
    streams.push_back({ws ? EdgeOp::InputRead : EdgeOp::WeightRead, rows, f.used_rows, f.t});
    for (std::int64_t l = 0; l < lanes; ++l) {
      streams.push_back({EdgeOp::OutputWrite, 2 * rows - 1, lane_cols(l), f.t});
      if (f.row_fold > 0) streams.push_back({EdgeOp::PsumRead, 2 * rows - 1, lane_cols(l), f.t});
    }
    add_streams(streams, demand);
  }

  // Per MAC: the stationary operand is read from its PE register, the streamed one from the
  // register it passed through, the psum (or the os sum) written; the moving operands each take
  // one hop per MAC (os: both inputs; ws: the input and the psum; is: the weight and the psum).
  PeActions pe_actions(const Mapping& mp) const override {
    const std::int64_t macs = mp.macs;
    const int wb = mp.weight_bits, ab = mp.activation_bits, cb = mp.accumulator_bits;
    PeActions a;
    a.rf_read_bits[static_cast<int>(Operand::Weight)] = macs * wb;
    a.rf_read_bits[static_cast<int>(Operand::Input)] = macs * ab;
    a.rf_write_bits[static_cast<int>(Operand::Output)] = macs * cb;
    switch (name_) {
      case arch::Dataflow::OutputStationary: a.array_bits = macs * (ab + wb); break;
      case arch::Dataflow::InputStationary: a.array_bits = macs * (wb + cb); break;
      default: a.array_bits = macs * (ab + cb); break;
    }
    return a;
  }

  // os: one PE accumulates its output over all of k. ws and is: Sr = k, so row fold f covers k
  // in [f * rows, f * rows + used_rows), one chain down a column, added to the output buffer.
  AccumulationOrder accumulation_order(const Mapping& mp) const override {
    AccumulationOrder order;
    if (name_ == arch::Dataflow::OutputStationary) {
      order.sequential = true;
      order.name = "sequential";
      return order;
    }
    order.sequential = false;
    for (std::int64_t b = 0; b < mp.k; b += mp.rows) {
      order.folds.push_back(Fold{{Segment{b, std::min(mp.k, b + mp.rows)}}, false});
    }
    order.name = "row_folds(" + std::to_string(mp.rows) + ")";
    return order;
  }

  std::unique_ptr<FoldStepper> stepper(const Mapping& mp, const FoldWork& w) const override {
    return systolic_stepper(mp, w);
  }

  void describe(const Mapping& mp, std::ostream& out) const override {
    const SystolicPlan& p = mp.plan_as<SystolicPlan>();
    out << "  product " << mp.groups << " x (" << mp.m << "x" << mp.k << ").(" << mp.k << "x" << mp.n
        << "); Sr=" << p.shape.sr << " Sc=" << p.shape.sc << " t=" << p.shape.t << "; folds "
        << p.grid.row_folds << " row x " << p.grid.col_folds << " col"
        << (mp.groups > 1 ? " per group" : "") << ", " << mp.cycles_per_fold << " cycles each\n";
  }

  void describe_choice(const Mapping& mp, std::ostream& out) const override {
    const LoopNest& nest = mp.plan_as<SystolicPlan>().nest;
    out << "  mapper: chose " << to_string(nest, mp.dataflow) << " of " << mp.candidates << " candidate"
        << (mp.candidates == 1 ? "" : "s") << (nest.tiles > 1 ? " (stream tiled)" : "") << "\n";
  }

 private:
  arch::Dataflow name_;
};

}  // namespace

const Dataflow& systolic_dataflow(arch::Dataflow name) {
  static const Systolic ws(arch::Dataflow::WeightStationary), os(arch::Dataflow::OutputStationary),
      is(arch::Dataflow::InputStationary);
  switch (name) {
    case arch::Dataflow::OutputStationary: return os;
    case arch::Dataflow::InputStationary: return is;
    default: return ws;
  }
}

SystolicFold systolic_fold(const Mapping& mp, std::int64_t fold) {
  const SystolicPlan& plan = mp.plan_as<SystolicPlan>();
  const NestIndex at = nest_index(plan.nest, plan.grid.row_folds, plan.grid.col_folds, fold);
  SystolicFold f;
  f.row_fold = at.row;
  f.col_fold = at.col;
  f.tile = at.tile;
  f.used_rows = std::min<std::int64_t>(mp.rows, plan.shape.sr - f.row_fold * mp.rows);
  f.used_cols = std::min<std::int64_t>(mp.cols, plan.shape.sc - f.col_fold * mp.cols);
  const std::int64_t tile = std::max<std::int64_t>(1, std::min(plan.nest.tile, plan.shape.t));
  f.t_begin = f.tile * tile;
  f.t = std::min(tile, plan.shape.t - f.t_begin);
  return f;
}

SystolicProblem systolic_problem(const arch::ArchSpec& arch, const workload::Layer& layer) {
  return problem_of(arch, base_mapping(arch, layer), group_tensors(layer));
}

Mapping map_layer_with(const arch::ArchSpec& arch, const workload::Layer& layer, const LoopNest& nest) {
  Mapping mp = base_mapping(arch, layer);
  if (dynamic_cast<const Systolic*>(mp.flow) == nullptr) return map_layer(arch, layer);
  apply_nest(arch, problem_of(arch, mp, group_tensors(layer)), nest, mp);
  mp.ports = BufferPorts(arch, mp);
  return mp;
}

}  // namespace qarch::mapping
