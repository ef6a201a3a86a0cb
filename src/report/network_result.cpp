#include "report/network_result.hpp"

namespace qarch::report {
namespace {

template <typename Field>
std::optional<std::int64_t> sum_if_known(const std::vector<LayerResult>& layers, Field field) {
  std::int64_t total = 0;
  for (const auto& layer : layers) {
    const auto& value = layer.*field;
    if (!value) return std::nullopt;
    total += *value;
  }
  return total;
}

}  // namespace

std::int64_t NetworkResult::macs() const {
  if (run_totals) return run_totals->macs;
  std::int64_t total = 0;
  for (const auto& layer : layers) total += layer.macs;
  return total;
}

std::int64_t NetworkResult::weight_bytes() const {
  std::int64_t total = 0;
  for (const auto& layer : layers) total += layer.weight_bytes;
  return total;
}

std::optional<std::int64_t> NetworkResult::total_cycles() const {
  if (run_totals) return run_totals->total_cycles;
  return sum_if_known(layers, &LayerResult::total_cycles);
}

std::optional<std::int64_t> NetworkResult::stall_cycles() const {
  if (run_totals) return run_totals->stall_cycles;
  return sum_if_known(layers, &LayerResult::stall_cycles);
}

std::optional<std::int64_t> NetworkResult::sram_stall_cycles() const {
  if (run_totals) return run_totals->sram_stall_cycles;
  return sum_if_known(layers, &LayerResult::sram_stall_cycles);
}

std::optional<double> NetworkResult::latency_s() const {
  const auto cycles = total_cycles();
  if (!cycles || clock_ghz <= 0) return std::nullopt;
  return static_cast<double>(*cycles) / (clock_ghz * 1e9);
}

std::optional<double> NetworkResult::inferences_per_s() const {
  const auto latency = latency_s();
  if (!latency || *latency <= 0) return std::nullopt;
  return static_cast<double>(batch) / *latency;
}

std::optional<double> NetworkResult::tops() const {
  // What the run sustains, stalls and idle PEs included; peak_tops is what the array could.
  const auto latency = latency_s();
  if (!latency || *latency <= 0) return std::nullopt;
  return 2.0 * static_cast<double>(macs()) / *latency / 1e12;
}

std::optional<double> NetworkResult::tops_per_w() const {
  // TOPS/W = (ops / s) / (J / s) / 1e12 = ops / J / 1e12 = ops / (pJ * 1e-12) / 1e12 = ops / pJ.
  if (!energy_pj || *energy_pj <= 0) return std::nullopt;
  return 2.0 * static_cast<double>(macs()) / *energy_pj;
}

std::optional<double> NetworkResult::pj_per_mac() const {
  if (!energy_pj || macs() == 0) return std::nullopt;
  return *energy_pj / static_cast<double>(macs());
}

std::optional<double> NetworkResult::energy_per_inference_pj() const {
  if (!energy_pj) return std::nullopt;
  return *energy_pj / static_cast<double>(batch);
}

std::optional<double> NetworkResult::power_mw() const {
  const auto latency = latency_s();
  if (!energy_pj || !latency || *latency <= 0) return std::nullopt;
  return *energy_pj * 1e-12 / *latency * 1e3;
}

namespace {

// `total` over the batch x G tokens of the decode phase.
std::optional<double> per_token(const GenerationResult& g, std::optional<double> total) {
  if (!total || g.generated_tokens <= 0) return std::nullopt;
  return *total / (static_cast<double>(g.batch) * static_cast<double>(g.generated_tokens));
}

}  // namespace

std::optional<double> GenerationResult::time_per_output_token_s() const {
  if (!decode_s || generated_tokens <= 0) return std::nullopt;
  return *decode_s / static_cast<double>(generated_tokens);
}

std::optional<double> GenerationResult::tokens_per_s() const {
  if (!decode_s || *decode_s <= 0 || generated_tokens <= 0) return std::nullopt;
  return static_cast<double>(batch) * static_cast<double>(generated_tokens) / *decode_s;
}

std::optional<double> GenerationResult::energy_per_token_pj() const { return per_token(*this, decode_energy_pj); }

std::optional<double> GenerationResult::dram_bytes_per_token() const {
  if (!decode_dram_bytes) return std::nullopt;
  return per_token(*this, static_cast<double>(*decode_dram_bytes));
}

std::optional<double> LayerResult::pj_per_mac() const {
  if (!energy_pj || macs == 0) return std::nullopt;
  return *energy_pj / static_cast<double>(macs);
}

}  // namespace qarch::report
