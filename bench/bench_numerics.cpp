// Quantize throughput and MAC throughput of the numerics fast paths on a 64x64x64 matrix
// product (C = W x A, each output a 64-long dot product accumulated in order).
// Run: build with -DQARCH_BUILD_BENCH=ON (Release), then bench/bench_numerics.

#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

#include "numerics/block_dot.hpp"
#include "numerics/codec.hpp"
#include "numerics/mac.hpp"
#include "numerics/quantizer.hpp"

namespace {

namespace nm = qarch::numerics;

void BM_Quantize(benchmark::State& state, const char* format_name) {
  const nm::Format format = nm::Format::parse(format_name);
  nm::QuantParams params;
  params.scales = {0.05};
  nm::Quantizer quantizer(format, params);
  nm::Rng rng(1);
  std::vector<double> values(4096);
  for (double& v : values) v = (rng.uniform() - 0.5) * 10;
  std::vector<std::uint32_t> codes(values.size());
  for (auto _ : state) {
    quantizer.quantize(values.data(), codes.data(), values.size());
    benchmark::DoNotOptimize(codes.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(values.size()));
}

// The MX block dot product (numerics/block_dot.hpp): two 4096-long vectors, 128 blocks of 32,
// summed exactly per block and accumulated in fp32. Items are MACs.
void BM_BlockDot(benchmark::State& state, const char* format_name) {
  const nm::BlockFormat f = *nm::BlockFormat::parse(format_name);
  nm::Rng rng(3);
  std::vector<float> x(4096), y(4096);
  for (float& v : x) v = static_cast<float>(rng.uniform() - 0.5);
  for (float& v : y) v = static_cast<float>((rng.uniform() - 0.5) * 4);
  const nm::BlockOperand a(f, nm::quantize_into_blocks(f, x, nm::ScaleRule::Floor, nm::TieRule::Even));
  const nm::BlockOperand b(f, nm::quantize_into_blocks(f, y, nm::ScaleRule::Floor, nm::TieRule::Even));
  for (auto _ : state) benchmark::DoNotOptimize(nm::block_dot_fp32(a, b));
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(x.size()));
}
BENCHMARK_CAPTURE(BM_BlockDot, mxfp8_e4m3, "mxfp8_e4m3");
BENCHMARK_CAPTURE(BM_BlockDot, mxfp8_e5m2, "mxfp8_e5m2");
BENCHMARK_CAPTURE(BM_BlockDot, mxfp4_e2m1, "mxfp4_e2m1");
BENCHMARK_CAPTURE(BM_BlockDot, mxint8, "mxint8");

// Block dot products of other pairs (numerics/block_operand.hpp): a block format against a block
// or scalar one (scalar values quantized nearest even). Items are MACs.
void BM_BlockDotPair(benchmark::State& state, const char* a_name, const char* b_name) {
  nm::Rng rng(4);
  const nm::Format fa = nm::Format::parse(a_name), fb = nm::Format::parse(b_name);
  const int block = fa.is_block_scaled() ? fa.block_size() : fb.block_size();
  const auto operand = [&](const nm::Format& f, double range) {
    std::vector<float> x(4096);
    for (float& v : x) v = static_cast<float>((rng.uniform() - 0.5) * range);
    if (const auto bf = f.block_format())
      return nm::BlockOperand(*bf, nm::quantize_into_blocks(*bf, x, nm::ScaleRule::Floor, nm::TieRule::Even));
    std::vector<std::uint32_t> codes;
    for (const float v : x) codes.push_back(nm::quantize(f, static_cast<double>(v)));
    return nm::BlockOperand(f, block, codes.data(), codes.size());
  };
  const nm::BlockOperand a = operand(fa, 1), b = operand(fb, fb.is_integer_like() ? 200 : 4);
  for (auto _ : state) benchmark::DoNotOptimize(nm::block_dot_fp32(a, b));
  state.SetItemsProcessed(state.iterations() * 4096);
}
BENCHMARK_CAPTURE(BM_BlockDotPair, nvfp4_nvfp4, "nvfp4", "nvfp4");
BENCHMARK_CAPTURE(BM_BlockDotPair, mxfp4_int8, "mxfp4_e2m1", "int8");
BENCHMARK_CAPTURE(BM_BlockDotPair, int4_g32_fp16, "int4_g32", "fp16");
BENCHMARK_CAPTURE(BM_BlockDotPair, mxfp8_bf16, "mxfp8_e4m3", "bf16");

void BM_MatMul64(benchmark::State& state, const char* style, const char* weight,
                 const char* activation, const char* accumulator) {
  const nm::Mac mac(nm::MultiplierStyle::parse(style), nm::Format::parse(weight),
                    nm::Format::parse(activation), nm::Format::parse(accumulator));
  constexpr std::size_t n = 64;
  nm::Rng rng(2);
  // Codes of values near zero-mean data: quantized from a narrow normal-ish distribution.
  const auto draw = [&](const nm::Format& f) {
    std::vector<std::uint32_t> m(n * n);
    const double spread = f.is_integer_like() ? 20.0 : 1.0;
    for (auto& c : m) {
      const double v = (rng.uniform() + rng.uniform() + rng.uniform() - 1.5) * spread;
      c = nm::quantize(f, v);
    }
    return m;
  };
  const std::vector<std::uint32_t> w = draw(mac.weight_format());
  const std::vector<std::uint32_t> a = draw(mac.activation_format());
  std::vector<double> out(n * n);
  for (auto _ : state) {
    for (std::size_t i = 0; i < n; ++i) {
      for (std::size_t j = 0; j < n; ++j) {
        nm::Accumulator acc = mac.make_accumulator();
        // Row i of W (stride 1) times column j of A (stride n).
        mac.dot(acc, &w[i * n], &a[j], n, 1, static_cast<std::ptrdiff_t>(n));
        out[i * n + j] = acc.value();
      }
    }
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(n * n * n));
  state.SetLabel(mac.fast_path_name());
}

}  // namespace

BENCHMARK_CAPTURE(BM_Quantize, int8, "int8");
BENCHMARK_CAPTURE(BM_Quantize, fp8_e4m3, "fp8_e4m3");
BENCHMARK_CAPTURE(BM_Quantize, posit8_1, "posit<8,1>");
BENCHMARK_CAPTURE(BM_Quantize, pow2_4, "pow2_4");
BENCHMARK_CAPTURE(BM_Quantize, bf16, "bf16");

BENCHMARK_CAPTURE(BM_MatMul64, int8_exact_int32, "exact", "int8", "int8", "int32");
BENCHMARK_CAPTURE(BM_MatMul64, fp8_e4m3_exact_fp32, "exact", "fp8_e4m3", "fp8_e4m3", "fp32");
BENCHMARK_CAPTURE(BM_MatMul64, fp8_e5m2_exact_fp32, "exact", "fp8_e5m2", "fp8_e5m2", "fp32");
BENCHMARK_CAPTURE(BM_MatMul64, posit8_1_exact_quire, "exact", "posit<8,1>", "posit<8,1>",
                  "quire<8,1>");
BENCHMARK_CAPTURE(BM_MatMul64, posit8_1_plam_quire, "plam", "posit<8,1>", "posit<8,1>",
                  "quire<8,1>");
BENCHMARK_CAPTURE(BM_MatMul64, pow2_4_shift_add_int32, "shift_add", "pow2_4", "int8", "int32");
BENCHMARK_CAPTURE(BM_MatMul64, int8_mitchell_int32, "mitchell", "int8", "int8", "int32");
BENCHMARK_CAPTURE(BM_MatMul64, int8_mitchell_w6_int32, "mitchell_w6", "int8", "int8", "int32");
BENCHMARK_CAPTURE(BM_MatMul64, binary_xnor_int16, "xnor_popcount", "binary", "binary", "int16");
BENCHMARK_CAPTURE(BM_MatMul64, bf16_mitchell_w6_fp32, "mitchell_w6", "bf16", "bf16", "fp32");
BENCHMARK_CAPTURE(BM_MatMul64, bf16_exact_fp32, "exact", "bf16", "bf16", "fp32");
