#pragma once
// The mapper's energy objective (arch `mapper.objective: energy` or `edp`, mapping/mapper.hpp).
// The mapping layer sits below this one, so it cannot price a candidate itself; these options
// give it a price: the candidate's closed-form actions (actions.hpp) priced by this design
// point's cost model, as the report prices a layer, with the candidate's estimated cycles for
// leakage. The report then prices what the simulator measured for the chosen nest.

#include "cost/cost_model.hpp"
#include "mapping/mapper.hpp"

namespace qarch::cost {

// Options for map_layer, search_layer and sim::simulate under `model`'s objective. They refer to
// `model`, which must outlive them.
mapping::MapperOptions mapper_options(const CostModel& model, bool search = true);

}  // namespace qarch::cost
