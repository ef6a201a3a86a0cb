#pragma once
// A compute layer (conv2d, fc, matmul with weights) prepared for functional execution: its
// formats, quantized weights and bias, scales and accumulation order; run() executes it on one
// sample's real input. Two implementations, chosen by make_compute_layer: QuantizedLayer (scalar
// formats, one MAC per product) and BlockLayer (a block-scaled operand on the block dot-product
// unit).

#include <cstdint>
#include <memory>
#include <string>

#include "arch/arch_spec.hpp"
#include "arch/layer_formats.hpp"
#include "func/parameters.hpp"
#include "mapping/mapping.hpp"
#include "workload/layer.hpp"

namespace qarch::func {

struct ComputeCounts {  // accumulated over samples
  std::int64_t zero_weight_operands = 0;
  std::int64_t zero_activation_operands = 0;
  std::int64_t zero_operand_macs = 0;
  std::int64_t saturated_activations = 0;
  std::uint64_t overflowed_accumulations = 0;
  // Outputs a vectorized kernel left to the scalar chain (non-finite sums, NaR): how often the
  // fast path is bypassed, for tests and benchmarks; no report shows it.
  std::int64_t scalar_outputs = 0;

  ComputeCounts& operator+=(const ComputeCounts& o) {
    zero_weight_operands += o.zero_weight_operands;
    zero_activation_operands += o.zero_activation_operands;
    zero_operand_macs += o.zero_operand_macs;
    saturated_activations += o.saturated_activations;
    overflowed_accumulations += o.overflowed_accumulations;
    scalar_outputs += o.scalar_outputs;
    return *this;
  }
};

class ComputeLayer {
 public:
  virtual ~ComputeLayer() = default;

  // in: the layer's real input (input elements); out: its real output (output elements);
  // accumulators (optional, output elements): the accumulator values before scaling.
  virtual void run(const double* in, double* out, double* accumulators, ComputeCounts& counts) = 0;
  // A matmul of two activations: the second operand of the next run() (its real values, the
  // producer's output), quantized into the weights' format at the weights' scale.
  virtual void set_second_operand(const double* b, ComputeCounts& counts) = 0;

  virtual const arch::LayerFormats& formats() const = 0;
  virtual double weight_scale() const = 0;  // the first channel's (1 for block-scaled weights)
  virtual double activation_scale() const = 0;
  virtual std::int64_t saturated_weights() const = 0;  // once per run
  virtual std::int64_t saturated_biases() const = 0;
  // The order's name ("sequential", "row_folds(32)", ...) or "exact" when the sum cannot depend
  // on it.
  virtual std::string accumulation_order() const = 0;
};

// The layer as `arch` runs it (arch::resolve_formats: per-layer overrides included).
// `activation_max_abs` / `activation_mean_abs`: statistics of the layer's input over the
// calibration images (unused when the format's scale rule or a configured scale does not need
// them); `b_max_abs` / `b_mean_abs` those of a second activation operand, which takes the
// weights' format and scale rule. `mapping` gives the accumulation order. Throws numerics::FormatError for formats the
// layer cannot run with, in one sentence.
std::unique_ptr<ComputeLayer> make_compute_layer(const arch::ArchSpec& arch, const workload::Layer& layer,
                                                 const mapping::Mapping& mapping, const LayerParameters& params,
                                                 bool per_channel, double activation_max_abs,
                                                 double activation_mean_abs, double b_max_abs = 0,
                                                 double b_mean_abs = 0);

}  // namespace qarch::func
