#pragma once
// A compute layer on the block dot-product unit (compute_layer.hpp; multiplier block_dot): a
// block-scaled weight and/or activation format, the other one block-scaled or scalar. Per block of
// the reduction axis: the element products summed exactly, times both blocks' scales, rounded once
// into the accumulator and added with its adder (numerics/block_dot.hpp).
//
// Blocks run along the reduction axis k in the weights' storage order (conv2d: channel, filter
// row, filter column, which is also the im2col order; fc and matmul: the input feature),
// consecutive from k = 0, the last one zero-padded. Each output channel's weight row is
// quantized on its own, once; each im2col row (one output pixel's inputs, padding as zeros) on
// its own, per sample; with the arch's block_scale_rule and block_rounding. NVFP4's tensor scale
// comes from the whole weight tensor, or from the layer's input (one sample). A block-scaled
// operand has no PTQ scale (1); a scalar one beside it gets its own, as in QuantizedLayer.
//
// The mapping's accumulation order applies to whole blocks: each segment widens to the blocks it
// touches (ws and is: a column chains its row fold's blocks from 0; adder_tree: a tree over a
// chunk's blocks; os: one chain from the bias); folds are block-aligned because the block size
// divides the array's reduction width (arch::check_block_layout).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "arch/arch_spec.hpp"
#include "arch/layer_formats.hpp"
#include "func/compute_layer.hpp"
#include "func/layer_ops.hpp"
#include "func/parameters.hpp"
#include "func/ptq.hpp"
#include "mapping/accumulation_order.hpp"
#include "mapping/mapping.hpp"
#include "numerics/block_dot.hpp"

namespace qarch::func {

class BlockLayer : public ComputeLayer {
 public:
  // As make_compute_layer. Throws numerics::FormatError for formats block_dot cannot take, a
  // layout the array cannot run (rs, a block size that does not divide the reduction width) and a
  // configured weight_scale / activation_scale for a block-scaled operand.
  BlockLayer(const arch::ArchSpec& arch, const workload::Layer& layer, const mapping::Mapping& mapping,
             const LayerParameters& params, bool per_channel, double activation_max_abs, double activation_mean_abs,
             double b_max_abs = 0, double b_mean_abs = 0);

  void run(const double* in, double* out, double* accumulators, ComputeCounts& counts) override;
  void set_second_operand(const double* b, ComputeCounts& counts) override;

  const arch::LayerFormats& formats() const override { return formats_; }
  double weight_scale() const override { return weight_scales_.empty() ? 1.0 : weight_scales_.front(); }
  double activation_scale() const override { return activation_scale_; }
  std::int64_t saturated_weights() const override { return saturated_weights_; }
  std::int64_t saturated_biases() const override { return saturated_biases_; }
  std::string accumulation_order() const override { return order_.name; }

 private:
  // Weights (channels x k, row-major) into weights_; scalar formats at weight_scales_ (computed
  // from `w` unless `scales_known`).
  void quantize_weights(const std::vector<float>& w, bool per_channel, bool scales_known, std::int64_t& saturated);
  // The input stage, once per sample: block formats take float32 values, scalars their codes.
  void quantize_input(const double* in, ComputeCounts& counts);
  // Group `group`'s im2col rows into activations_, with their zero counts per k.
  void load_rows(std::int64_t group, ComputeCounts& counts);
  double accumulate(std::size_t weight_block, std::size_t activation_block, double bias);

  arch::LayerFormats formats_;
  numerics::ScaleRule rule_;
  numerics::TieRule tie_;
  GemmLayout layout_;
  std::int64_t input_elements_ = 0;
  int block_ = 0;
  std::int64_t row_blocks_ = 0;  // blocks per row of k
  mapping::AccumulationOrder order_;  // segments in blocks
  numerics::BlockAccumulator accumulator_;
  numerics::BlockOperand weights_;      // (groups x n) rows of row_blocks_ blocks
  std::vector<float> second_operand_;   // a second activation operand as weights (b_gather)
  numerics::BlockOperand activations_;  // one group's m rows
  std::optional<ValueQuantizer> activation_quantizer_;  // scalar activations
  std::uint32_t activation_zero_code_ = 0;              // what padding feeds (scalar activations)
  float nvfp4_input_scale_ = 1;                         // NVFP4 activations: this sample's tensor scale
  double activation_scale_ = 1;
  std::vector<double> weight_scales_;   // per output channel
  std::vector<double> product_scales_;  // weight scale x activation scale, per channel
  std::vector<double> bias_values_;     // per channel, in accumulator values
  std::vector<std::int64_t> zero_weights_by_k_;  // per group and k: channels with a zero weight
  std::vector<std::int64_t> zero_activations_by_k_;
  std::int64_t saturated_weights_ = 0;
  std::int64_t saturated_biases_ = 0;
  std::vector<std::uint32_t> input_codes_, row_codes_;  // scratch of run()
  std::vector<float> input_floats_, row_floats_;
  std::vector<numerics::QuantizedBlock> quantized_;
  std::vector<double> parts_;
};

}  // namespace qarch::func
