#pragma once
// A compute layer with scalar operand formats (compute_layer.hpp): one MAC (numerics::Mac, through
// DotKernel) per product, in the mapping's accumulation order; a vectorized kernel
// (fast_layer_kernel.hpp) gives the same bits faster where one applies.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "arch/arch_spec.hpp"
#include "arch/layer_formats.hpp"
#include "func/compute_layer.hpp"
#include "func/dot_kernel.hpp"
#include "func/fast_layer_kernel.hpp"
#include "func/gather_plan.hpp"
#include "func/layer_ops.hpp"
#include "func/parameters.hpp"
#include "func/ptq.hpp"
#include "mapping/accumulation_order.hpp"
#include "mapping/mapping.hpp"

namespace qarch::func {

class QuantizedLayer : public ComputeLayer {
 public:
  // `activation_max_abs` / `activation_mean_abs`: statistics of the layer's input over the
  // calibration images (unused when the format's scale rule or a configured scale does not
  // need them). `mapping` is the layer's on the array: it gives the accumulation order. Throws
  // numerics::FormatError if the MAC cannot be built.
  QuantizedLayer(const arch::ArchSpec& arch, const workload::Layer& layer, const mapping::Mapping& mapping,
                 const LayerParameters& params, bool per_channel, double activation_max_abs,
                 double activation_mean_abs, double b_max_abs = 0, double b_mean_abs = 0);

  void run(const double* in, double* out, double* accumulators, ComputeCounts& counts) override;
  void set_second_operand(const double* b, ComputeCounts& counts) override;

  const arch::LayerFormats& formats() const override { return formats_; }
  double weight_scale() const override { return weight_scales_.empty() ? 1.0 : weight_scales_.front(); }
  std::string accumulation_order() const override { return order_free_ ? "exact" : order_.name; }
  const mapping::AccumulationOrder& order() const { return order_; }
  bool order_free() const { return order_free_; }
  double activation_scale() const override { return activation_scale_; }
  const std::vector<double>& weight_scales() const { return weight_scales_; }  // per channel
  std::int64_t saturated_weights() const override { return saturated_weights_; }
  std::int64_t saturated_biases() const override { return saturated_biases_; }
  // The MAC loop in use: a vectorized kernel's name (fast_layer_kernel.hpp), else
  // DotKernel::path_name().
  const char* kernel_path() const { return fast_ ? fast_->path_name() : kernel_->path_name(); }
  // Runs every output on the scalar chains (DotKernel) from now on: the reference the
  // vectorized kernels are tested against.
  void use_generic_kernel() {
    fast_.reset();
    plan_gathers();
  }

 private:
  // The gathers of the operands: into k x ld lanes of units or floats when the fast kernel
  // takes them, into m x k rows of codes otherwise and for float lanes (whose non-finite
  // chains are recomputed on the codes).
  void plan_gathers();
  // Group grp's m x k operand codes.
  const std::uint32_t* operand_rows(std::int64_t grp);
  // Weight codes and biases, with the final scales.
  void quantize_parameters(const LayerParameters& params);
  // Weight codes of channel-major real weights (`weight(c, j)`, original k order).
  template <typename Weight>
  void quantize_weights(Weight weight, std::int64_t& saturated);
  double accumulate(const std::uint32_t* w, const std::uint32_t* a, double bias,
                    std::uint64_t& overflows);

  arch::LayerFormats formats_;
  GemmLayout layout_;  // gathers in the order's (permuted) k order
  std::int64_t input_elements_ = 0;
  mapping::AccumulationOrder order_;
  std::vector<double> parts_;  // one fold's segment sums (accumulate)
  bool order_free_ = false;  // no add can round or overflow: any order gives the same sum
  std::unique_ptr<DotKernel> kernel_;
  std::unique_ptr<FastLayerKernel> fast_;  // null: the scalar chains
  std::vector<double> fast_values_;        // one group's outputs from fast_
  ValueQuantizer activation_quantizer_;
  ZeroTest weight_zero_;
  ZeroTest activation_zero_;
  std::uint32_t activation_zero_code_ = 0;  // what padding feeds
  double activation_scale_ = 1;
  std::vector<double> weight_scales_;     // per output channel
  std::vector<double> product_scales_;    // weight scale x activation scale, per channel
  std::vector<double> bias_values_;       // per channel, in accumulator values
  std::vector<std::uint32_t> weight_codes_;  // (groups * n) x k, permuted k
  std::vector<std::int64_t> zero_weights_by_k_;  // per group and k: channels with a zero weight
  std::int64_t saturated_weights_ = 0;
  std::int64_t saturated_biases_ = 0;
  std::vector<std::uint32_t> input_codes_;  // the input's codes, then padding's
  std::vector<GatherPlan> gathers_;          // per group, into operand rows (empty: no gather)
  std::vector<GatherPlan> lane_gathers_;     // per group, into lanes (FastLayerKernel::takes_lanes)
  std::vector<std::int16_t> input_units_;    // the input's units, then padding's
  std::vector<std::int16_t> lanes_;          // k x ld operand lanes of one group
  std::vector<float> input_floats_;          // float lanes: the input's values, then padding's
  std::vector<float> float_lanes_;           // float lanes: k x ld operand values of one group
  std::vector<std::uint32_t> operand_rows_;  // m x k of one group
  std::vector<std::int64_t> zero_activations_by_k_;
};

}  // namespace qarch::func
