#include "mapping/loop_nest.hpp"

#include <algorithm>

#include "mapping/packing.hpp"

namespace qarch::mapping {

using arch::Dataflow;

int LoopNest::position(Loop loop) const {
  for (int i = 0; i < 3; ++i)
    if (order[static_cast<std::size_t>(i)] == loop) return i;
  return 2;
}

LoopNest make_nest(std::array<Loop, 3> order, std::int64_t tiles_wanted, std::int64_t t) {
  LoopNest nest;
  nest.order = order;
  const std::int64_t stream = std::max<std::int64_t>(1, t);
  nest.tile = ceil_div(stream, std::clamp<std::int64_t>(tiles_wanted, 1, stream));
  nest.tiles = ceil_div(stream, nest.tile);
  return nest;
}

LoopNest scalesim_nest(std::int64_t t) { return make_nest({Loop::Col, Loop::Tile, Loop::Row}, 1, t); }

std::string loop_name(Dataflow dataflow, Loop loop) {
  // (Sr, Sc, t) = os (m, n, k), ws (k, n, m), is (k, m, n)
  const char* sr = dataflow == Dataflow::OutputStationary ? "m" : "k";
  const char* sc = dataflow == Dataflow::InputStationary ? "m" : "n";
  const char* t = dataflow == Dataflow::OutputStationary  ? "k"
                  : dataflow == Dataflow::InputStationary ? "n"
                                                          : "m";
  switch (loop) {
    case Loop::Row: return std::string("row_fold(") + sr + ")";
    case Loop::Col: return std::string("col_fold(") + sc + ")";
    case Loop::Tile: return std::string(t) + "_tile";
  }
  return "?";
}

std::string to_string(const LoopNest& nest, Dataflow dataflow) {
  std::string s;
  for (Loop loop : nest.order) {
    if (loop == Loop::Tile && nest.tiles <= 1) continue;
    if (!s.empty()) s += " > ";
    s += loop_name(dataflow, loop);
    if (loop == Loop::Tile) s += "(" + std::to_string(nest.tiles) + " x " + std::to_string(nest.tile) + ")";
  }
  return s;
}

NestIndex nest_index(const LoopNest& nest, std::int64_t row_folds, std::int64_t col_folds,
                     std::int64_t index) {
  NestIndex at;
  for (int i = 2; i >= 0; --i) {
    const Loop loop = nest.order[static_cast<std::size_t>(i)];
    const std::int64_t extent = loop == Loop::Row ? row_folds : loop == Loop::Col ? col_folds : nest.tiles;
    const std::int64_t value = index % std::max<std::int64_t>(1, extent);
    index /= std::max<std::int64_t>(1, extent);
    (loop == Loop::Row ? at.row : loop == Loop::Col ? at.col : at.tile) = value;
  }
  return at;
}

}  // namespace qarch::mapping
