#pragma once
// qarch map: how each layer of a network maps onto a design point (dataflow, folds, tiles per
// buffer with packing, the loop nest the mapper chose, closed-form cycles, DRAM bytes and the
// mapper's estimate). Nothing is simulated. --candidates [N] lists the best N candidates the
// mapper considered and why the winner won; --no-search maps with SCALE-Sim's nest only.

#include <iosfwd>
#include <string>
#include <vector>

namespace qarch::cli {

// `args` are the arguments after "map": --arch FILE --workload FILE [--set KEY=VALUE]...
// [--layer NAME] [--candidates [N]] [--no-search]. Returns 0, or 2 after an "error:" line on err for bad arguments; the loaders'
// config::InputError propagates to the caller.
int run_map(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace qarch::cli
