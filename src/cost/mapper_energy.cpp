#include "cost/mapper_energy.hpp"

#include "arch/layer_formats.hpp"

namespace qarch::cost {

mapping::MapperOptions mapper_options(const CostModel& model, bool search) {
  mapping::MapperOptions options;
  options.search = search;
  options.energy_pj = [&model](const workload::Layer& layer, const mapping::Mapping& mp, std::int64_t cycles) {
    LayerActions actions = actions_from(model.arch, mp, arch::resolve_formats(model.arch, layer));
    actions.cycles = cycles + 1;  // numbered from 0, as the simulator's: the layer lasts one more
    return energy_pj(actions, unit_prices(actions, model));  // = layer_cost().total_pj, no words
  };
  return options;
}

}  // namespace qarch::cost
