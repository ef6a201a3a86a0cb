#include "cost/mapper_energy.hpp"

#include "arch/layer_formats.hpp"

namespace qarch::cost {

mapping::MapperOptions mapper_options(const CostModel& model, bool search) {
  mapping::MapperOptions options;
  options.search = search;
  options.price_layer = [&model](const workload::Layer& layer) -> mapping::EnergyOfMapping {
    // Every candidate of a layer has its formats, hence its unit prices: work them out once.
    const arch::LayerFormats formats = arch::resolve_formats(model.arch, layer);
    const UnitPrices prices = unit_prices(formats, model);
    return [&model, formats, prices](const mapping::Mapping& mp, std::int64_t cycles) {
      LayerActions actions = actions_from(model.arch, mp, formats);
      actions.cycles = cycles + 1;  // numbered from 0, as the simulator's: the layer lasts one more
      return energy_pj(actions, prices);  // = layer_cost().total_pj, without the bill's words
    };
  };
  return options;
}

}  // namespace qarch::cost
