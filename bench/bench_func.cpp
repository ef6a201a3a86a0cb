// Functional-mode throughput: MACs per second of run_functional on the shipped Fashion-MNIST
// models (one thread, and two), end to end: quantization, the mapped accumulation, the float32 reference
// run for SQNR and the statistics. Figures in docs/performance.md ("Functional mode").
//
// BM_Functional/<model>/<config>/<images>/<threads>: counters `mac_per_s` (the network's MACs x images /
// time: CPU time of one thread, wall-clock time of two) and `images_per_s`. Calibration (1000 training images through the float32 reference) is
// part of each run, as in `qarch run --functional`.
//
// BM_Layer/<layer>/<config>/<kernel>: QuantizedLayer::run alone (input quantization, gathers,
// zero counts and the MAC loop) on LeNet-5's conv1, conv2 or fc1 shape with random weights and inputs,
// on the layer's fast kernel ("fast") or the scalar chains ("generic"); counter `mac_per_s`.

#include <benchmark/benchmark.h>

#include <cmath>
#include <random>
#include <string>

#include "arch/arch_spec.hpp"
#include "func/functional_run.hpp"
#include "func/quantized_layer.hpp"
#include "mapping/mapping.hpp"
#include "workload/network.hpp"

namespace {

using namespace qarch;

arch::ArchSpec make_arch(const std::string& w, const std::string& a, const std::string& acc,
                         const std::string& style, arch::Dataflow dataflow) {
  arch::ArchSpec s;
  s.name = "bench";
  s.clock_ghz = 1.0;
  s.pe_array.rows = 32;
  s.pe_array.cols = 32;
  s.pe_array.dataflow = dataflow;
  s.pe_array.weight_format = numerics::Format::parse(w);
  s.pe_array.activation_format = numerics::Format::parse(a);
  s.pe_array.accumulator_format = numerics::Format::parse(acc);
  s.pe_array.multiplier = numerics::MultiplierStyle::parse(style);
  for (arch::BufferSpec* b : {&s.weight_buffer, &s.input_buffer, &s.output_buffer}) {
    b->size_kib = 256;
    b->banks = 8;
    b->word_bits = 256;
  }
  s.memory.ideal = true;
  s.memory.dram = arch::load_dram_device(arch::default_models_dir(), "lpddr4-3200");
  return s;
}

struct Config {
  const char* name;
  const char* w;
  const char* a;
  const char* acc;
  const char* style;
  arch::Dataflow dataflow;
};

const Config kConfigs[] = {
    {"int8_ws", "int8", "int8", "int32", "exact", arch::Dataflow::WeightStationary},
    {"int8_int16acc_ws", "int8", "int8", "int16", "exact", arch::Dataflow::WeightStationary},
    {"fp32_ws", "fp32", "fp32", "fp32", "exact", arch::Dataflow::WeightStationary},
    {"bf16_ws", "bf16", "bf16", "fp32", "exact", arch::Dataflow::WeightStationary},
    {"fp8_e4m3_ws", "fp8_e4m3", "fp8_e4m3", "fp32", "exact", arch::Dataflow::WeightStationary},
    {"int8_mitchell_w6_os", "int8", "int8", "int32", "mitchell_w6", arch::Dataflow::OutputStationary},
    {"posit8_plam_quire", "posit<8,1>", "posit<8,1>", "quire<8,1>", "plam", arch::Dataflow::WeightStationary},
};

// range(0) images on range(1) threads; with more than one thread, rates are per wall-clock
// second (UseRealTime), else per CPU second of the one thread.
void BM_Functional(benchmark::State& state, const std::string& model, const Config& c) {
  const workload::Network net =
      workload::load_network(std::string(QARCH_SOURCE_DIR) + "/workloads/fashion/" + model + ".yaml");
  const arch::ArchSpec spec = make_arch(c.w, c.a, c.acc, c.style, c.dataflow);
  func::FunctionalOptions options;
  options.limit = state.range(0);
  options.threads = static_cast<int>(state.range(1));
  double top1 = 0;
  for (auto _ : state) {
    const func::FunctionalResult r = func::run_functional(spec, net, options);
    top1 = r.top1;
  }
  const double macs = static_cast<double>(net.macs()) * static_cast<double>(options.limit);
  state.counters["mac_per_s"] = benchmark::Counter(macs, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["images_per_s"] =
      benchmark::Counter(static_cast<double>(options.limit), benchmark::Counter::kIsIterationInvariantRate);
  state.SetLabel("top1=" + std::to_string(top1));
}

// LeNet-5's conv1 (1 x 28 x 28, padding 2 -> 6 x 28 x 28, 5 x 5: m = 784, k = 25, n = 6), conv2
// (6 x 14 x 14 -> 16 x 10 x 10, 5 x 5: m = 100, k = 150, n = 16) or fc1 (400 -> 120), with
// scales given (no calibration).
workload::Layer bench_layer(const std::string& name) {
  workload::Layer l;
  l.name = name;
  l.inputs = {"input"};
  if (name == "conv1") {
    l.type = workload::LayerType::Conv2d;
    l.input = {1, 28, 28};
    l.kernel_h = l.kernel_w = 5;
    l.pad_top = l.pad_bottom = l.pad_left = l.pad_right = 2;
    l.filters = 6;
    l.output = {6, 28, 28};
    l.gemm = {1, 784, 25, 6};
  } else if (name == "conv2") {
    l.type = workload::LayerType::Conv2d;
    l.input = {6, 14, 14};
    l.kernel_h = l.kernel_w = 5;
    l.filters = 16;
    l.output = {16, 10, 10};
    l.gemm = {1, 100, 150, 16};
  } else {
    l.type = workload::LayerType::Fc;
    l.input = {400, 1, 1};
    l.out_features = 120;
    l.output = {120, 1, 1};
    l.gemm = {1, 1, 400, 120};
  }
  l.quantization.weight_scale = 1.0 / 64;
  l.quantization.activation_scale = 1.0 / 64;
  return l;
}

void BM_Layer(benchmark::State& state, const std::string& name, const Config& c, bool generic) {
  const arch::ArchSpec spec = make_arch(c.w, c.a, c.acc, c.style, c.dataflow);
  const workload::Layer l = bench_layer(name);
  std::mt19937 rng(1);
  std::normal_distribution<float> value(0.0f, 0.5f);
  func::LayerParameters params;
  for (std::int64_t i = 0; i < l.gemm.n * l.gemm.k; ++i) params.weights.push_back(value(rng));
  std::vector<double> in(static_cast<std::size_t>(l.input.elements()));
  for (double& v : in) v = std::fabs(value(rng));  // post-ReLU activations
  func::QuantizedLayer layer(spec, l, mapping::map_layer(spec, l), params, false, 0, 0);
  if (generic) layer.use_generic_kernel();
  std::vector<double> out(static_cast<std::size_t>(l.output.elements()));
  func::ComputeCounts counts;
  for (auto _ : state) {
    layer.run(in.data(), out.data(), nullptr, counts);
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["mac_per_s"] = benchmark::Counter(static_cast<double>(l.macs()), benchmark::Counter::kIsIterationInvariantRate);
  state.SetLabel(layer.kernel_path());
}

int register_all() {
  for (const char* layer : {"conv1", "conv2", "fc1"}) {
    for (const Config& c : kConfigs) {
      for (const bool generic : {false, true}) {
        const std::string name = std::string("BM_Layer/") + layer + "/" + c.name + (generic ? "/generic" : "/fast");
        benchmark::RegisterBenchmark(name.c_str(), [layer, &c, generic](benchmark::State& s) { BM_Layer(s, layer, c, generic); })
            ->Unit(benchmark::kMicrosecond);
      }
    }
  }
  for (const char* model : {"lenet5", "mlp"}) {
    for (const Config& c : kConfigs) {
      benchmark::RegisterBenchmark((std::string("BM_Functional/") + model + "/" + c.name).c_str(),
                                   [model, &c](benchmark::State& s) { BM_Functional(s, model, c); })
          ->Args({2000, 1})
          ->Unit(benchmark::kMillisecond)
          ->Iterations(1);
      benchmark::RegisterBenchmark((std::string("BM_Functional/") + model + "/" + c.name).c_str(),
                                   [model, &c](benchmark::State& s) { BM_Functional(s, model, c); })
          ->Args({2000, 2})
          ->Unit(benchmark::kMillisecond)
          ->Iterations(1)
          ->UseRealTime();
    }
  }
  return 0;
}

const int registered = register_all();

}  // namespace
