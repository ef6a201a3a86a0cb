#pragma once
// Test helpers: layers and design points built directly, without the YAML loaders, and a
// reader for SCALE-Sim topology rows. Shared by tests/unit/mapping and tests/sim.

#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "arch/arch_spec.hpp"
#include "numerics/format.hpp"
#include "workload/layer.hpp"

namespace qarch::testing {

inline std::int64_t scalesim_out(std::int64_t in, std::int64_t filter, std::int64_t stride) {
  return (in - filter + stride + stride - 1) / stride;  // SCALE-Sim's ceil rule
}

// A groups = 1 conv whose input already includes padding, output sizes by SCALE-Sim's rule.
inline workload::Layer conv_layer(const std::string& name, std::int64_t h, std::int64_t w, int r,
                                  int s, std::int64_t c, std::int64_t m, int stride,
                                  std::int64_t groups = 1, std::int64_t batch = 1) {
  workload::Layer l;
  l.name = name;
  l.type = workload::LayerType::Conv2d;
  l.input = {c, h, w};
  l.kernel_h = r;
  l.kernel_w = s;
  l.stride_h = l.stride_w = stride;
  l.groups = groups;
  l.filters = m;
  l.batch = batch;
  l.output = {m, scalesim_out(h, r, stride), scalesim_out(w, s, stride)};
  l.gemm = {groups, batch * l.output.h * l.output.w, (c / groups) * r * s, m / groups};
  return l;
}

inline workload::Layer fc_layer(const std::string& name, std::int64_t in, std::int64_t out,
                                std::int64_t batch = 1) {
  workload::Layer l;
  l.name = name;
  l.type = workload::LayerType::Fc;
  l.input = {in, 1, 1};
  l.output = {out, 1, 1};
  l.out_features = out;
  l.batch = batch;
  l.gemm = {1, batch, in, out};
  return l;
}

inline workload::Layer pool_layer(const std::string& name, std::int64_t c, std::int64_t h,
                                  std::int64_t w, int kernel, int stride) {
  workload::Layer l;
  l.name = name;
  l.type = workload::LayerType::MaxPool;
  l.input = {c, h, w};
  l.kernel_h = l.kernel_w = kernel;
  l.stride_h = l.stride_w = stride;
  l.output = {c, (h - kernel) / stride + 1, (w - kernel) / stride + 1};
  return l;
}

inline arch::ArchSpec make_arch(int rows, int cols, arch::Dataflow dataflow, bool ideal = true,
                                const std::string& weight_format = "int8",
                                const std::string& activation_format = "int8") {
  arch::ArchSpec a;
  a.name = "test";
  a.clock_ghz = 1.0;
  a.pe_array.rows = rows;
  a.pe_array.cols = cols;
  a.pe_array.dataflow = dataflow;
  a.pe_array.weight_format = numerics::Format::parse(weight_format);
  a.pe_array.activation_format = numerics::Format::parse(activation_format);
  a.pe_array.accumulator_format = numerics::Format::parse("int32");
  for (arch::BufferSpec* b : {&a.weight_buffer, &a.input_buffer, &a.output_buffer}) {
    b->size_kib = 64;
    b->banks = 4;
    b->word_bits = 64;
    b->ports = 1;
    b->double_buffered = true;
  }
  a.memory.ideal = ideal;
  a.memory.dram = arch::load_dram_device(arch::default_models_dir(), "lpddr4-3200");
  return a;
}

// A CSV file as rows of trimmed cells.
inline std::vector<std::vector<std::string>> read_csv(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::vector<std::string>> rows;
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> cells;
    std::stringstream ss(line);
    std::string cell;
    while (std::getline(ss, cell, ',')) {
      const auto b = cell.find_first_not_of(" \t\r");
      const auto e = cell.find_last_not_of(" \t\r");
      cells.push_back(b == std::string::npos ? "" : cell.substr(b, e - b + 1));
    }
    rows.push_back(cells);
  }
  return rows;
}

// SCALE-Sim's ResNet-50 topology, copied into the repository, one conv layer per row.
inline std::vector<workload::Layer> scalesim_resnet50() {
  std::vector<workload::Layer> layers;
  const auto rows = read_csv(std::string(QARCH_SOURCE_DIR) + "/tests/data/scalesim-v2-resnet50/Resnet50.csv");
  for (std::size_t i = 1; i < rows.size(); ++i) {
    const auto& r = rows[i];
    if (r.empty() || r[0].empty()) continue;
    layers.push_back(conv_layer(r[0], std::stoll(r[1]), std::stoll(r[2]), std::stoi(r[3]),
                                std::stoi(r[4]), std::stoll(r[5]), std::stoll(r[6]), std::stoi(r[7])));
  }
  return layers;
}

}  // namespace qarch::testing

#include <random>

namespace qarch::testing {

inline std::int64_t uniform(std::mt19937_64& rng, std::int64_t lo, std::int64_t hi) {
  return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng);
}

// A small random layer: plain, grouped or depthwise conv, fc (batched), or max pooling.
inline workload::Layer random_layer(std::mt19937_64& rng, int index) {
  const std::string name = "L" + std::to_string(index);
  const std::int64_t kind = uniform(rng, 0, 9);
  if (kind <= 4) {
    const int r = static_cast<int>(uniform(rng, 1, 4));
    const int stride = static_cast<int>(uniform(rng, 1, 2));
    const std::int64_t h = uniform(rng, r, 12);
    return conv_layer(name, h, uniform(rng, r, 12), r, static_cast<int>(uniform(rng, 1, r)),
                      uniform(rng, 1, 24), uniform(rng, 1, 24), stride, 1, uniform(rng, 1, 2));
  }
  if (kind <= 6) {  // grouped: c and m multiples of groups; depthwise when m == c == groups
    const std::int64_t groups = uniform(rng, 2, 6);
    const std::int64_t c = groups * uniform(rng, 1, 3);
    const std::int64_t m = kind == 5 ? c : groups * uniform(rng, 1, 3);
    return conv_layer(name, uniform(rng, 3, 10), uniform(rng, 3, 10), 3, 3, c, m,
                      static_cast<int>(uniform(rng, 1, 2)), groups);
  }
  if (kind <= 8) return fc_layer(name, uniform(rng, 1, 80), uniform(rng, 1, 40), uniform(rng, 1, 4));
  return pool_layer(name, uniform(rng, 1, 16), uniform(rng, 2, 12), uniform(rng, 2, 12), 2, 2);
}

// A small random design point: array shape, dataflow, formats and buffer sizes (some too small
// to hold the reuse sets, so refetches and partial-sum spills happen). The dataflow is any of
// them, or without any_dataflow one of ws, os and is.
// With `global_buffer`, one point in four has a buffers.global serving some of the tensors.
inline arch::ArchSpec random_arch(std::mt19937_64& rng, bool ideal, bool any_dataflow = true,
                                  bool global_buffer = true) {
  static const arch::Dataflow kFlows[] = {arch::Dataflow::WeightStationary,
                                          arch::Dataflow::OutputStationary,
                                          arch::Dataflow::InputStationary,
                                          arch::Dataflow::RowStationary,
                                          arch::Dataflow::AdderTree};
  static const char* kFormats[] = {"int8", "int4", "int16", "int2", "fp8_e4m3"};
  arch::ArchSpec a = make_arch(static_cast<int>(uniform(rng, 1, 8)), static_cast<int>(uniform(rng, 1, 8)),
                               kFlows[uniform(rng, 0, any_dataflow ? 4 : 2)], ideal,
                               kFormats[uniform(rng, 0, 4)], kFormats[uniform(rng, 0, 4)]);
  for (arch::BufferSpec* b : {&a.weight_buffer, &a.input_buffer, &a.output_buffer}) {
    b->size_kib = static_cast<double>(uniform(rng, 1, 16)) / 8.0;
    b->word_bits = static_cast<int>(8 << uniform(rng, 0, 3));
    b->double_buffered = uniform(rng, 0, 1) == 1;
  }
  static const char* kDram[] = {"ddr4-3200", "lpddr4-3200", "hbm2"};
  a.memory.dram = arch::load_dram_device(arch::default_models_dir(), kDram[uniform(rng, 0, 2)]);
  a.clock_ghz = static_cast<double>(uniform(rng, 5, 20)) / 10.0;
  // Few banks and ports: the buffers' ports bound the array (SRAM stalls).
  for (arch::BufferSpec* b : {&a.weight_buffer, &a.input_buffer, &a.output_buffer}) {
    b->banks = static_cast<int>(uniform(rng, 1, 4));
    b->ports = static_cast<int>(uniform(rng, 1, 2));
  }
  if (uniform(rng, 0, 3) == 0 && global_buffer) {  // a global buffer serving some of the tensors
    a.global_buffer = a.input_buffer;
    a.global_buffer.size_kib = static_cast<double>(uniform(rng, 2, 24)) / 8.0;
    const std::int64_t serves = uniform(rng, 1, 7);
    arch::BufferSpec* own[3] = {&a.weight_buffer, &a.input_buffer, &a.output_buffer};
    for (int t = 0; t < 3; ++t) {
      a.global_serves[static_cast<std::size_t>(t)] = (serves >> t & 1) != 0;
      if (a.global_serves[static_cast<std::size_t>(t)]) *own[t] = a.global_buffer;
    }
  }
  return a;
}

}  // namespace qarch::testing
