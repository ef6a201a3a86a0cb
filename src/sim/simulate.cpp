#include "sim/simulate.hpp"

#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <string>

#include "sim/accelerator.hpp"

namespace qarch::sim {

std::vector<std::vector<LayerStats>> simulate_jobs(const std::vector<Job>& jobs) {
  static bool elaborated = false;
  if (elaborated) throw std::logic_error("sim: SystemC elaborates once per process; simulate once");
  elaborated = true;
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1);
  sc_core::sc_set_time_resolution(1, sc_core::SC_PS);  // ps = milli-cycles (time.hpp)

  // The modules live until the process ends: SystemC does not support tearing down a
  // hierarchy after simulation.
  static std::vector<std::unique_ptr<Accelerator>> accelerators;
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    const std::string name = "accelerator_" + std::to_string(i);
    accelerators.push_back(
        std::make_unique<Accelerator>(name.c_str(), jobs[i].arch, jobs[i].mappings, jobs[i].engine));
    accelerators.back()->trace_dram_to(jobs[i].dram_trace);
  }
  auto all_finished = [&] {
    for (const auto& a : accelerators)
      if (!a->finished()) return false;
    return true;
  };
  // Reference accelerators own free-running clocks, so run in slices until every run is done.
  const sc_core::sc_time slice(1, sc_core::SC_MS);
  while (!all_finished()) {
    if (sc_core::sc_get_status() != sc_core::SC_ELABORATION && !sc_core::sc_pending_activity())
      throw std::logic_error("sim: deadlock, no activity left before every layer finished");
    sc_core::sc_start(slice);
  }
  std::vector<std::vector<LayerStats>> results;
  for (const auto& a : accelerators) results.push_back(a->stats());
  return results;
}

std::vector<LayerStats> simulate(const arch::ArchSpec& arch, std::vector<mapping::Mapping> mappings,
                                 Engine engine, std::ostream* dram_trace) {
  Job job{arch, std::move(mappings), engine};
  job.dram_trace = dram_trace;
  return simulate_jobs({job}).front();
}

std::vector<LayerStats> simulate(const arch::ArchSpec& arch, const workload::Network& net,
                                 Engine engine, const mapping::MapperOptions& mapper) {
  return simulate_jobs({Job{arch, net, engine, mapper}}).front();
}

}  // namespace qarch::sim


