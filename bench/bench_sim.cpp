// Simulation speed (docs/performance.md, "simulation"). SystemC elaborates once per process, so
// each benchmark simulates once: run one at a time with --benchmark_filter, e.g.
//   bench_sim --benchmark_filter=ResNet50_32x32_ws_lpddr4
// Google Benchmark's own repetition is disabled (Iterations(1)); repeat the process to average.

#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "arch/arch_spec.hpp"
#include "mapping/mapper.hpp"
#include "sim/simulate.hpp"
#include "workload/network.hpp"

namespace {

using namespace qarch;

// The repository root: $QARCH_SOURCE_DIR, else two levels above this source file.
std::string source_dir() {
  if (const char* env = std::getenv("QARCH_SOURCE_DIR")) return env;
  return std::filesystem::path(__FILE__).parent_path().parent_path().string();
}

arch::ArchSpec resnet_arch(arch::Dataflow dataflow, bool ideal) {
  arch::ArchSpec a;
  a.name = "bench";
  a.clock_ghz = 1.0;
  a.pe_array.rows = a.pe_array.cols = 32;
  a.pe_array.dataflow = dataflow;
  for (arch::BufferSpec* b : {&a.weight_buffer, &a.input_buffer, &a.output_buffer}) {
    b->size_kib = 256;
    b->banks = 8;
    b->word_bits = 256;
  }
  a.memory.ideal = ideal;
  a.memory.dram = arch::load_dram_device(arch::default_models_dir(), "lpddr4-3200");
  return a;
}

// search = false maps every layer with SCALE-Sim's loop nest (the figures before the mapper).
void run(benchmark::State& state, const std::string& workload, arch::Dataflow dataflow, bool ideal,
         sim::Engine engine, bool search = true) {
  const workload::Network net = workload::load_network(source_dir() + "/" + workload);
  const arch::ArchSpec a = resnet_arch(dataflow, ideal);
  for (auto _ : state) {
    const auto stats = sim::simulate(a, net, engine, mapping::MapperOptions{search, {}});
    std::int64_t cycles = 0, stalls = 0, bytes = 0;
    for (const auto& s : stats) {
      cycles += s.total_cycles;
      stalls += s.stall_cycles;
      bytes += s.dram_read_bytes + s.dram_write_bytes;
    }
    state.counters["cycles"] = static_cast<double>(cycles);
    state.counters["stall_cycles"] = static_cast<double>(stalls);
    state.counters["dram_bytes"] = static_cast<double>(bytes);
    state.counters["layers"] = static_cast<double>(stats.size());
  }
}

void ResNet50_32x32_ws_lpddr4(benchmark::State& s) {
  run(s, "workloads/resnet50.yaml", arch::Dataflow::WeightStationary, false, sim::Engine::Fast);
}
void ResNet50_32x32_ws_lpddr4_scalesim_nest(benchmark::State& s) {
  run(s, "workloads/resnet50.yaml", arch::Dataflow::WeightStationary, false, sim::Engine::Fast, false);
}
void ResNet50_32x32_ws_ideal(benchmark::State& s) {
  run(s, "workloads/resnet50.yaml", arch::Dataflow::WeightStationary, true, sim::Engine::Fast);
}
void ResNet50_32x32_os_lpddr4(benchmark::State& s) {
  run(s, "workloads/resnet50.yaml", arch::Dataflow::OutputStationary, false, sim::Engine::Fast);
}
void ScaleSimResNet50_32x32_ws_lpddr4(benchmark::State& s) {
  run(s, "tests/data/scalesim-v2-resnet50/Resnet50.csv", arch::Dataflow::WeightStationary, false,
      sim::Engine::Fast);
}
void LeNet5_32x32_ws_lpddr4_reference(benchmark::State& s) {
  run(s, "workloads/lenet5.yaml", arch::Dataflow::WeightStationary, false, sim::Engine::Reference);
}

BENCHMARK(ResNet50_32x32_ws_lpddr4)->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK(ResNet50_32x32_ws_lpddr4_scalesim_nest)->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK(ResNet50_32x32_ws_ideal)->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK(ResNet50_32x32_os_lpddr4)->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK(ScaleSimResNet50_32x32_ws_lpddr4)->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK(LeNet5_32x32_ws_lpddr4_reference)->Iterations(1)->Unit(benchmark::kMillisecond);

}  // namespace
