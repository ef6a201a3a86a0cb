#include "mapping/mapper.hpp"

#include <algorithm>
#include <iomanip>
#include <sstream>
#include <stdexcept>
#include <tuple>

namespace qarch::mapping {

namespace {

using arch::MapperObjective;

// The objective's own key; 0 for cycles, whose keys follow.
double primary(const Candidate& c, MapperObjective objective) {
  switch (objective) {
    case MapperObjective::Cycles: return 0;
    case MapperObjective::Energy: return c.energy_pj;
    case MapperObjective::Edp: return c.energy_pj * static_cast<double>(c.estimate.total_cycles);
  }
  return 0;
}

auto rank_key(const Candidate& c, MapperObjective objective) {
  return std::make_tuple(primary(c, objective), c.estimate.total_cycles, c.estimate.dram_bytes,
                         c.estimate.compute_cycles, c.nest.tiles, c.index);
}

}  // namespace

bool ranks_before(const Candidate& a, const Candidate& b, MapperObjective objective) {
  return rank_key(a, objective) < rank_key(b, objective);
}

std::string why_better(const Candidate& w, const Candidate& o, MapperObjective objective) {
  std::ostringstream s;
  const double pw = primary(w, objective), po = primary(o, objective);
  if (pw != po) {
    s << std::setprecision(4) << (objective == MapperObjective::Energy ? "lower estimated energy ("
                                                                        : "lower estimated energy x cycles (")
      << pw << (objective == MapperObjective::Energy ? " pJ" : " pJ.cycles") << " < " << po << ")";
  } else if (w.estimate.total_cycles != o.estimate.total_cycles) {
    s << "fewer estimated total cycles (" << w.estimate.total_cycles << " < " << o.estimate.total_cycles << ")";
  } else if (w.estimate.dram_bytes != o.estimate.dram_bytes) {
    s << "same estimated total cycles, fewer DRAM bytes (" << w.estimate.dram_bytes << " < "
      << o.estimate.dram_bytes << ")";
  } else if (w.estimate.compute_cycles != o.estimate.compute_cycles) {
    s << "same total and DRAM bytes, fewer compute cycles";
  } else if (w.nest.tiles != o.nest.tiles) {
    s << "tie on every estimate, fewer stream tiles";
  } else {
    s << "tie on every estimate, enumerated first";
  }
  return s.str();
}

std::vector<LoopNest> candidate_nests(const SystolicProblem& p, const MapperOptions& options) {
  const std::int64_t t = std::max<std::int64_t>(1, p.shape.t);
  std::vector<LoopNest> nests{scalesim_nest(t)};
  if (!options.search) return nests;
  nests.push_back(make_nest({Loop::Row, Loop::Tile, Loop::Col}, 1, t));
  if (p.dataflow == arch::Dataflow::OutputStationary) return nests;  // k is never tiled
  static const std::array<Loop, 3> kOrders[] = {
      {Loop::Col, Loop::Tile, Loop::Row}, {Loop::Tile, Loop::Col, Loop::Row},
      {Loop::Col, Loop::Row, Loop::Tile}, {Loop::Row, Loop::Col, Loop::Tile},
      {Loop::Tile, Loop::Row, Loop::Col}, {Loop::Row, Loop::Tile, Loop::Col}};
  // Every distinct balanced tiling: for a given number of tiles the balanced one has the
  // smallest largest tile, so it fits at least as well as any unbalanced one with the same
  // compute cycles (tests/unit/mapping/mapper_test.cpp checks this against all tile sizes).
  for (std::int64_t wanted = 2; wanted <= t; ++wanted) {
    const std::int64_t tile = (t + wanted - 1) / wanted;
    if ((t + tile - 1) / tile != wanted) continue;
    for (const auto& order : kOrders) nests.push_back(make_nest(order, wanted, t));
  }
  return nests;
}

Candidate evaluate(const arch::ArchSpec& arch, const SystolicProblem& problem, const LoopNest& nest,
                   std::int64_t index) {
  const SystolicTiling tiling = tile_systolic(problem, nest);
  Candidate c;
  c.nest = nest;
  c.weight_fetches = tiling.tiles[static_cast<int>(Operand::Weight)].dram_fetches;
  c.input_fetches = tiling.tiles[static_cast<int>(Operand::Input)].dram_fetches;
  c.psum_spill = tiling.psum_spill;
  c.estimate = estimate(arch, tiling.compute_cycles, tiling.dma);
  c.index = index;
  return c;
}

Search search_systolic(const arch::ArchSpec& arch, const SystolicProblem& problem,
                       const MapperOptions& options, bool keep_all, const EnergyOfCandidate& energy_of) {
  Search s;
  s.dataflow = problem.dataflow;
  s.objective = arch.mapper.objective;
  // Without search there is one candidate: nothing to rank, so no price is needed.
  const bool priced = s.objective != MapperObjective::Cycles && energy_of;
  if (s.objective != MapperObjective::Cycles && options.search && !energy_of) {
    throw std::invalid_argument(std::string("mapper: objective '") +
                                std::string(arch::to_string(s.objective)) +
                                "' needs the cost model's energy of each candidate");
  }
  const std::vector<LoopNest> nests = candidate_nests(problem, options);
  s.considered = nests.size();
  Candidate best;
  for (std::size_t i = 0; i < nests.size(); ++i) {
    Candidate c = evaluate(arch, problem, nests[i], static_cast<std::int64_t>(i));
    if (priced) c.energy_pj = energy_of(c);
    if (keep_all || i == 0) s.candidates.push_back(c);
    if (i == 0 || ranks_before(c, best, s.objective)) {
      best = c;
      s.chosen = keep_all ? i : 0;
    }
  }
  if (!keep_all && best.index != 0) {
    s.candidates.push_back(best);
    s.chosen = 1;
  }
  return s;
}

namespace {

void row(std::ostream& out, const std::string& mark, const Candidate& c, const Search& search) {
  const std::string nest = to_string(c.nest, search.dataflow);
  out << "  " << std::left << std::setw(6) << mark << std::setw(52) << nest << std::right
      << std::setw(4) << c.weight_fetches << std::setw(4) << c.input_fetches << std::setw(6)
      << (c.psum_spill ? "spill" : "-") << std::setw(13) << c.estimate.dram_bytes << std::setw(12)
      << c.estimate.compute_cycles << std::setw(12) << c.estimate.stall_cycles << std::setw(12)
      << c.estimate.total_cycles;
  if (search.objective != MapperObjective::Cycles) {
    std::ostringstream pj;
    pj << std::setprecision(6) << c.energy_pj;
    out << std::setw(14) << pj.str();
  }
  out << "\n";
}

}  // namespace

std::string describe_search(const Search& search, std::size_t top) {
  std::ostringstream out;
  const std::vector<Candidate>& all = search.candidates;
  if (all.empty()) return "";
  std::vector<std::size_t> ranked(all.size());
  for (std::size_t i = 0; i < ranked.size(); ++i) ranked[i] = i;
  std::stable_sort(ranked.begin(), ranked.end(),
                   [&](std::size_t a, std::size_t b) { return ranks_before(all[a], all[b], search.objective); });
  out << "  mapper: " << search.considered << " candidate" << (search.considered == 1 ? "" : "s")
      << " (loop orders x stream tilings); objective " << arch::to_string(search.objective)
      << "; estimated, best first:\n";
  out << "  " << std::left << std::setw(6) << "#" << std::setw(52) << "loop nest (outermost first)"
      << std::right << std::setw(4) << "W x" << std::setw(4) << "I x" << std::setw(6) << "psum"
      << std::setw(13) << "DRAM bytes" << std::setw(12) << "compute" << std::setw(12) << "stall~"
      << std::setw(12) << "total~";
  if (search.objective != MapperObjective::Cycles) out << std::setw(14) << "energy pJ~";
  out << "\n";
  bool scalesim_shown = false;
  for (std::size_t r = 0; r < std::min(top, ranked.size()); ++r) {
    const Candidate& c = all[ranked[r]];
    scalesim_shown = scalesim_shown || c.index == 0;
    row(out, std::to_string(r + 1) + (c.index == 0 ? "*" : ""), c, search);
  }
  if (!scalesim_shown) {
    const auto pos = std::find(ranked.begin(), ranked.end(), std::size_t{0}) - ranked.begin();
    if (top < ranked.size() && pos > static_cast<std::ptrdiff_t>(top)) out << "  ...\n";
    row(out, std::to_string(pos + 1) + "*", all[0], search);
  }
  out << "  (* SCALE-Sim's nest; W x, I x: DRAM reads of weights, inputs; ~: estimated)\n";
  const Candidate& winner = all[search.chosen];
  if (ranked.size() > 1) {
    out << "  chosen: " << to_string(winner.nest, search.dataflow) << "; over #2: "
        << why_better(winner, all[ranked[1]], search.objective);
    if (winner.index != 0) out << "; over SCALE-Sim's nest: " << why_better(winner, all[0], search.objective);
    out << "\n";
  }
  return out.str();
}

}  // namespace qarch::mapping
