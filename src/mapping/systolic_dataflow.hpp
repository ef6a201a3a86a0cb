#pragma once
// The systolic dataflows ws, os and is as Dataflow implementations (dataflow.hpp): one class,
// three instances, sharing SCALE-Sim's fold semantics (systolic.hpp), the mapper's loop-nest
// search (mapper.hpp) and its O(1) tiling (systolic_tiling.hpp). The per-cycle reference is
// systolic_stepper.cpp.

#include <cstdint>
#include <memory>

#include "mapping/dataflow.hpp"
#include "mapping/loop_nest.hpp"
#include "mapping/mapping.hpp"
#include "mapping/systolic.hpp"
#include "mapping/systolic_tiling.hpp"

namespace qarch::mapping {

struct SystolicPlan : DataflowPlan {
  SystolicShape shape;  // sr, sc, t
  FoldGrid grid;        // folds per group, before stream tiling
  LoopNest nest;        // the loop nest the mapper chose (SCALE-Sim's by default)
};

// ws, os or is.
const Dataflow& systolic_dataflow(arch::Dataflow name);

// The geometry of fold `fold` (inside its group) of a systolic mapping, in its loop nest.
SystolicFold systolic_fold(const Mapping& mapping, std::int64_t fold);

// The product of a systolic layer's group as the mapper sees it (for search_systolic).
SystolicProblem systolic_problem(const arch::ArchSpec& arch, const workload::Layer& layer);

// The mapping with a given loop nest (systolic dataflows; other layers map as map_layer). The
// nest's tiling must be of this layer's stream (make_nest with its t).
Mapping map_layer_with(const arch::ArchSpec& arch, const workload::Layer& layer, const LoopNest& nest);

// systolic_stepper.cpp: tokens moving through the rows x cols grid.
std::unique_ptr<FoldStepper> systolic_stepper(const Mapping& mapping, const FoldWork& work);

}  // namespace qarch::mapping
