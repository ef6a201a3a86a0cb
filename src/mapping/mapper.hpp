#pragma once
// The mapper search for the systolic dataflows (ws, os, is). For one layer it enumerates loop
// nests (loop_nest.hpp): the order of the column-fold, row-fold and stream-tile loops — which
// decides which operand stays on chip and which is re-fetched from DRAM — and, for ws and is,
// every distinct balanced tiling of the streamed dimension (m for ws, n for is), so that partial
// sums of one tile can stay in the output buffer across row folds. Each nest is costed in O(1)
// (systolic_tiling.hpp) and estimated (estimate.hpp); the best one is chosen.
//
// Decision rule (ranks_before), by the architecture's `mapper.objective`:
//   cycles (default): the lowest estimated total cycles, then the fewest DRAM bytes, then the
//     fewest compute cycles, then the fewest stream tiles, then enumeration order (SCALE-Sim's
//     nest first). With memory.ideal the estimate is the compute cycles, and every tiled nest
//     adds a fill and drain per extra tile, so the untiled SCALE-Sim cycle count always wins:
//     compute cycles equal SCALE-Sim v2's.
//   energy: the lowest estimated energy, then the cycles rule.
//   edp: the lowest estimated energy x estimated total cycles, then the cycles rule.
// A candidate's energy is the cost model's price of the layer mapped with its nest, lasting its
// estimated cycles (leakage); the cost layer, above this one, supplies it (MapperOptions).
// os never tiles its stream (k): its partial sums stay in the PEs. rs and vector layers have one
// mapping (one candidate).

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "mapping/estimate.hpp"
#include "mapping/loop_nest.hpp"
#include "mapping/systolic_tiling.hpp"
#include "workload/layer.hpp"

namespace qarch::mapping {

struct Mapping;

// The energy in pJ of one layer mapped as `mapping`, its last cycle numbered `cycles` (as
// Estimate::total_cycles).
using EnergyOfMapping = std::function<double(const Mapping& mapping, std::int64_t cycles)>;

// The price of `layer`'s mappings: called once per layer, what it returns once per candidate, so
// that what all candidates share (formats, unit prices) is worked out once.
using PriceOfLayer = std::function<EnergyOfMapping(const workload::Layer& layer)>;

struct MapperOptions {
  bool search = true;  // false: SCALE-Sim's nest only (column folds > row folds, stream untiled)
  // Required when the architecture's mapper.objective is energy or edp (cost/mapper_energy.hpp).
  PriceOfLayer price_layer;

  static MapperOptions scalesim_nest_only() { return MapperOptions{false, {}}; }
};

struct Candidate {
  LoopNest nest;
  std::int64_t weight_fetches = 1;  // times the weights are read from DRAM, per group
  std::int64_t input_fetches = 1;   // times the inputs are read from DRAM, per group
  bool psum_spill = false;          // partial sums go to DRAM and back between row folds
  Estimate estimate;
  double energy_pj = 0;             // estimated energy; objectives energy and edp only
  std::int64_t index = 0;           // enumeration order, the last tie-break
};

// True when `a` is preferred to `b` under `objective` (the decision rule above). A strict weak
// order.
bool ranks_before(const Candidate& a, const Candidate& b, arch::MapperObjective objective);

// In words: which key of the decision rule makes `winner` rank before `other`.
std::string why_better(const Candidate& winner, const Candidate& other, arch::MapperObjective objective);

// The nests considered for a product of `problem`'s shape, in enumeration order; the first is
// SCALE-Sim's.
std::vector<LoopNest> candidate_nests(const SystolicProblem& problem, const MapperOptions& options);

Candidate evaluate(const arch::ArchSpec& arch, const SystolicProblem& problem, const LoopNest& nest,
                   std::int64_t index = 0);

// A candidate's estimated energy (objectives energy and edp); mapping.cpp builds it from
// MapperOptions::price_layer and the layer.
using EnergyOfCandidate = std::function<double(const Candidate& candidate)>;

struct Search {
  arch::Dataflow dataflow = arch::Dataflow::WeightStationary;
  arch::MapperObjective objective = arch::MapperObjective::Cycles;
  std::vector<Candidate> candidates;  // in enumeration order; [0] is SCALE-Sim's nest
  std::size_t chosen = 0;             // index into candidates
  std::size_t considered = 0;         // candidates estimated (all of them, even if not kept)
};

// Every candidate, estimated, and the chosen one. keep_all = false keeps only the winner (and
// SCALE-Sim's nest) — what map_layer needs. `energy_of` is required (std::invalid_argument
// otherwise) when arch.mapper.objective is energy or edp.
Search search_systolic(const arch::ArchSpec& arch, const SystolicProblem& problem,
                       const MapperOptions& options, bool keep_all = true,
                       const EnergyOfCandidate& energy_of = {});

// For `qarch map --candidates`: how many candidates, the best `top` of them ranked with their
// fetches, spills, DRAM bytes and estimated cycles, SCALE-Sim's nest, and why the winner won.
std::string describe_search(const Search& search, std::size_t top);

}  // namespace qarch::mapping
