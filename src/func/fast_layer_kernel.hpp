#pragma once
// The vectorized MAC loops of a QuantizedLayer, chosen once per layer at construction, each
// bit-identical to the scalar chains (DotKernel, QuantizedLayer::accumulate) it replaces
// (docs/functional.md, "Fast kernels"; tests/unit/func/fast_kernel_test.cpp):
// - "simd_int_gemm": integer operands and accumulator and an order-free sum (no partial sum can
//   overflow): an exact int16 x int16 -> int32 matrix product (simd_int_gemm.hpp), its rows in
//   SIMD lanes when there are at least 8 rows;
// - "simd_int_chains": integer operands into an integer accumulator that can overflow: many
//   chains in SIMD lanes, each in the mapping's order, saturating and counting per add;
// - "simd_mitchell_chains": Mac's mitchell_integer products (16-bit integer operands) as
//   "simd_int_chains" does, in int64 lanes;
// - "simd_fp32_chains": float operands into fp32: fused multiply-adds in SIMD lanes, each
//   lane in the mapping's order; a lane whose sum is not finite is recomputed on the scalar path.
// - "simd_quire_lanes": posits of up to 8 bits (exact or PLAM products) into a quire (exact, so
//   order-free): products of the values in quire half-lsbs formed and summed exactly in int64
//   lanes (Int64LaneChains), each sum rounded to the posit result by QuireRounding; NaR
//   inputs and weights go to the scalar path.
// Lanes are consecutive rows of one channel (convolutions), or channels of one row (fc).

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "arch/layer_formats.hpp"
#include "func/dot_kernel.hpp"
#include "func/layer_ops.hpp"
#include "func/quire_rounding.hpp"
#include "func/simd_lane_chains.hpp"
#include "mapping/accumulation_order.hpp"

namespace qarch::func {

class FastLayerKernel {
 public:
  // `bias_values`: per channel, in accumulator values (the first addend of every output).
  FastLayerKernel(const GemmLayout& layout, const arch::LayerFormats& formats, const DotKernel& kernel,
                  const mapping::AccumulationOrder& order, bool order_free,
                  const std::vector<double>& bias_values);

  bool active() const { return kind_ != Kind::None; }
  // Integer kernels: every value run_group and run_lanes give is finite.
  bool integer() const { return kind_ == Kind::IntGemm || kind_ == Kind::IntChains; }
  // "simd_int_gemm", "simd_int_chains", "simd_fp32_chains", or nullptr when not active.
  const char* path_name() const;

  // Takes new weight codes ((groups * n) x k, the order's k), as QuantizedLayer stores them.
  void set_weights(const std::vector<std::uint32_t>& codes);

  // Group `grp` on its operand rows (m x k codes): values[c * m + r] is the accumulator value
  // of output (channel grp * n + c, row r), `overflows` gets the overflowed adds. A non-finite
  // value means the caller must compute that output on the scalar path (its overflows are then
  // not counted here).
  void run_group(std::int64_t grp, const std::uint32_t* rows, double* values, std::uint64_t& overflows);

  // The integer matrix product with rows in lanes (convolutions: m >= 8): the caller gathers
  // activation units (units_of) into k x lane_stride() lanes, row r of k-column j at
  // j * lane_stride() + r, zeros past m, and calls run_lanes instead of run_group. A unit is
  // zero exactly when its code decodes to zero.
  // Float chains with rows in lanes take float lanes the same way (floats_of, run_float_lanes);
  // a value of 0 (either sign) is a code that decodes to zero.
  bool takes_lanes() const { return lane_gemm_ || takes_float_lanes_; }
  bool lanes_are_floats() const { return takes_float_lanes_; }
  std::size_t lane_stride() const { return lane_ld_; }
  void units_of(const std::uint32_t* codes, std::size_t count, std::int16_t* units) const;
  // An int or uint activation whose units are its values: ValueQuantizer::quantize_integers
  // gives the units without codes.
  bool units_are_values() const { return units_are_values_; }
  void run_lanes(std::int64_t grp, const std::int16_t* lanes, double* values);
  void floats_of(const std::uint32_t* codes, std::size_t count, float* values) const;
  // As run_group on float lanes: a non-finite value is recomputed by the caller.
  void run_float_lanes(std::int64_t grp, const float* lanes, double* values);

 private:
  enum class Kind { None, IntGemm, IntChains, MitchellChains, Fp32Chains, QuireLanes };

  bool choose_integer(const arch::LayerFormats& formats, const DotKernel& kernel, bool order_free,
                      const std::vector<double>& bias_values);
  bool choose_float(const arch::LayerFormats& formats, const DotKernel& kernel, bool sequential,
                    const std::vector<double>& bias_values);
  bool choose_mitchell(const arch::LayerFormats& formats, const DotKernel& kernel, const LaneOrder& order,
                       const std::vector<double>& bias_values);
  // start_units64_ and bias_overflows_by_group_ (the bias is each chain's first add); false
  // if a start is limit or more in magnitude.
  bool bias_starts(const DotKernel& kernel, const std::vector<double>& bias_values, double limit);
  bool choose_quire(const arch::LayerFormats& formats, const DotKernel& kernel, bool order_free,
                    const std::vector<double>& bias_values);
  template <typename T>
  struct LaneBuffers {
    std::vector<T> x, s, start, out;  // x: k x ld_ lanes; s: the broadcast operand, k values
  };
  // The lane kernels on one group in the chosen orientation: `activation(code)` gives an
  // operand value, `run(x, lanes, s, start, out)` runs the chains, `read` converts a sum.
  template <typename T, typename Activation, typename Run, typename Read>
  void run_chains(std::int64_t grp, const std::uint32_t* rows, const std::vector<T>& weights,
                  const std::vector<T>& starts, LaneBuffers<T>& buf, Activation activation, Run run,
                  Read read, double* values);

  Kind kind_ = Kind::None;
  std::int64_t groups_ = 1, m_ = 0, k_ = 0, n_ = 0;
  std::size_t ld_ = 0;        // padded lane count (rows or channels) of the lane layouts
  bool lanes_are_rows_ = true;
  int fraction_bits_ = 0;     // integer accumulators: units of 2^-F
  // Operand values per code: integer units (Mac's integer path) or floats.
  std::vector<std::int32_t> weight_units_, activation_units_;
  std::vector<float> weight_floats_, activation_floats_;
  bool weight_fp32_bits_ = false, activation_fp32_bits_ = false;  // fp32: the code is the bits
  // Start of every chain per channel: the bias after the accumulator's first add.
  std::vector<std::int32_t> start_units_;
  std::vector<std::int64_t> start_units64_;
  std::vector<float> start_floats_;
  std::vector<std::uint64_t> bias_overflows_by_group_;  // channels whose bias alone overflows
  // Weights in the chosen layout: int16 rows of k_padded_ (gemm), or per channel values of k
  // (lanes are rows), or per group k x ld_ transposed (lanes are channels).
  std::size_t k_padded_ = 0;
  std::vector<std::int16_t> weight_rows16_;
  bool lane_gemm_ = false;           // IntGemm with rows in lanes (int16_lane_gemm)
  bool takes_float_lanes_ = false;   // Fp32Chains with rows in lanes, gathered by the caller
  bool units_are_values_ = false;
  std::size_t k_pairs_ = 0, lane_ld_ = 0;  // pairs of k; rows padded to lanes
  std::vector<std::int32_t> weight_pairs_;  // per channel, k_pairs_ pairs of int16 units
  std::vector<std::int16_t> lane_pairs_;    // scratch: the lanes interleaved in pairs
  std::vector<std::int32_t> lane_sums_;     // scratch: n x ld_ sums
  std::vector<float> lane_float_sums_;      // scratch: n x ld_ sums
  std::vector<std::int32_t> weight_int_;
  std::vector<float> weight_float_;
  // Per-run scratch (one instance per thread).
  std::vector<std::int16_t> rows16_;
  std::vector<std::int32_t> gemm_out_;
  LaneBuffers<std::int32_t> int_lanes_;
  LaneBuffers<float> float_lanes_;
  // QuireLanes: which codes have a NaR product, which channels a NaR weight, the biases in
  // quire lsbs, the rounding of the sums.
  std::vector<char> nar_weight_, nar_activation_, nar_channel_;
  std::vector<std::int64_t> bias_lsbs_;
  std::optional<QuireRounding> quire_rounding_;
  // MitchellChains and QuireLanes: operands per code (pack_mitchell_operand, or the value in
  // quire half-lsbs), the weights in layout.
  std::vector<std::int64_t> weight_mitchell_table_, activation_mitchell_, weight_mitchell_;
  LaneBuffers<std::int64_t> mitchell_lanes_;
  std::unique_ptr<Int64LaneChains> int64_chains_;
  std::unique_ptr<IntLaneChains> int_chains_;
  std::unique_ptr<Fp32LaneChains> fp32_chains_;
};

}  // namespace qarch::func
