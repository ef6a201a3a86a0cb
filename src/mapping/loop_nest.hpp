#pragma once
// The loop nest of a systolic mapping: three loops over the folds of one group — row folds
// (Sr in steps of `rows`), column folds (Sc in steps of `cols`) and stream tiles (t in steps of
// `tile`) — in some order, outermost first. SCALE-Sim's nest is column folds > row folds with the
// stream untiled (one tile of t): LoopNest{} with tiles = 1.

#include <array>
#include <cstdint>
#include <string>

#include "arch/arch_spec.hpp"

namespace qarch::mapping {

enum class Loop { Row, Col, Tile };

struct LoopNest {
  std::array<Loop, 3> order = {Loop::Col, Loop::Tile, Loop::Row};  // outermost first
  std::int64_t tile = 0;   // stream elements per tile; the last tile may be shorter
  std::int64_t tiles = 1;  // ceil(t / tile)

  int position(Loop loop) const;  // 0 outermost .. 2 innermost
  bool operator==(const LoopNest& o) const {
    return order == o.order && tile == o.tile && tiles == o.tiles;
  }
};

// The nest with `tiles_wanted` balanced tiles of a stream of `t` elements: tile = ceil(t /
// tiles_wanted), tiles = ceil(t / tile) (which can be fewer than asked for).
LoopNest make_nest(std::array<Loop, 3> order, std::int64_t tiles_wanted, std::int64_t t);

// SCALE-Sim v2's nest: column folds outer, row folds inner, the stream untiled.
LoopNest scalesim_nest(std::int64_t t);

// Loop names for `dataflow`, e.g. ws: "col_fold(n)", "row_fold(k)", "m_tile".
std::string loop_name(arch::Dataflow dataflow, Loop loop);

// "col_fold(n) > m_tile(4 x 784) > row_fold(k)"; untiled nests leave the tile loop out.
std::string to_string(const LoopNest& nest, arch::Dataflow dataflow);

// One fold's position in the nest: its index along each loop.
struct NestIndex {
  std::int64_t row = 0, col = 0, tile = 0;
};

// `index` in [0, row_folds * col_folds * tiles), the innermost loop fastest.
NestIndex nest_index(const LoopNest& nest, std::int64_t row_folds, std::int64_t col_folds,
                     std::int64_t index);

}  // namespace qarch::mapping
