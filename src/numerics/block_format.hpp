#pragma once
// Block-scaled formats: a shared scale per block of consecutive elements along the reduction
// axis. MX (OCP Microscaling v1.0: E8M0 scale per 32 elements of E4M3, E5M2, E3M2, E2M3, E2M1
// or int8), NVFP4 (E2M1 elements, an E4M3 scale per 16, one fp32 tensor scale) and group-wise
// symmetric integers (an fp32 or fp16 scale per G elements). Semantics, exactly as
// ../shared/reference/block-formats/README.md states them, are in docs/numerics.md.
//
// Quantization is exact: every quotient is rounded by comparing exact products (no double
// rounding), so the codes are those of exact rational arithmetic.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace qarch::numerics {

enum class BlockKind { Mx, Nvfp4, GroupInt };

// MX shared-scale rules.
enum class ScaleRule {
  Floor,  // OCP v1.0: floor(log2 amax) - emax_elem
  Ceil,   // the smallest exponent with amax <= max_norm x 2^e
  Rceil,  // NVIDIA: ceil(log2(fp32(amax x fp32(1 / max_norm))))
};

// Element rounding: to nearest, ties to the even code or away from zero.
enum class TieRule { Even, Away };

std::optional<ScaleRule> parse_scale_rule(std::string_view text);  // "floor", "ceil", "rceil"
std::string to_string(ScaleRule rule);
std::optional<TieRule> parse_tie_rule(std::string_view text);  // "nearest_even", "nearest_away"
std::string to_string(TieRule rule);

// A small float element without infinities or NaN (MX elements, NVFP4's E2M1 and E4M3 scale).
struct MiniFloat {
  int exponent_bits = 0, mantissa_bits = 0, bias = 0;
  double max_norm = 0;
  int emax() const;  // the largest unbiased exponent of a normal value
};

struct BlockFormat {
  BlockKind kind = BlockKind::Mx;
  std::string element;      // "e4m3", "e5m2", "e3m2", "e2m3", "e2m1", "int8" (MX); group: "int<bits>"
  int element_bits = 8;
  int block = 32;           // elements per shared scale
  bool fp16_scale = false;  // group formats: the scale rounded to fp16

  // "mxfp8_e4m3", "mxfp4" (alias of mxfp4_e2m1), "mxint8", "nvfp4", "int4_g128", "int4_g128_fp16";
  // "_b<N>" after an MX name sets its block size (mxfp4_e2m1_b16). Empty when not a block format.
  static std::optional<BlockFormat> parse(std::string_view text);
  std::string to_string() const;  // canonical: parse(to_string()) gives the same format

  int scale_bits() const;  // 8 (E8M0, E4M3), 32 (fp32) or 16 (fp16)
  double bits_per_element() const { return element_bits + static_cast<double>(scale_bits()) / block; }
  MiniFloat minifloat() const;  // the element format (MX floats, NVFP4)
  double max_value() const;     // the largest magnitude a block can hold
};

// The block formats `qarch formats` lists (MX block sizes at their default).
std::vector<std::string> block_format_names();

// One quantized block.
struct QuantizedBlock {
  bool nan = false;             // a NaN or infinity in the block: every value decodes to NaN
  int scale_code = 0;           // E8M0 code (MX), E4M3 code (NVFP4); group formats: 0
  int scale_exp = 0;            // MX: the shared exponent
  double scale = 1;             // NVFP4: sb; group formats: s
  double tensor_scale = 1;      // NVFP4: s_t (values are element x sb x s_t)
  int saturated = 0;            // elements above the block's largest value, clipped to it
  std::vector<std::uint32_t> codes;  // element codes (two's complement for integers)
  std::vector<double> values;   // decoded
};

// An MX block (any length up to its block size; shorter blocks are treated as zero-padded).
QuantizedBlock quantize_mx(const BlockFormat& format, const float* x, std::size_t n, ScaleRule rule, TieRule tie);

// NVFP4: the tensor scale from the tensor's amax, then one block of up to 16 values.
float nvfp4_tensor_scale(float tensor_amax);
QuantizedBlock quantize_nvfp4(const float* x, std::size_t n, float tensor_scale);

// A group of a group-wise integer format.
QuantizedBlock quantize_group(const BlockFormat& format, const float* x, std::size_t n);

// The largest |x| of `n` values; NaN if one is a NaN or an infinity (NVFP4's tensor amax).
float tensor_amax(const float* x, std::size_t n);

// `n` values from `x` as consecutive blocks of `format` appended to `out`, in order (the last
// one zero-padded); NVFP4 blocks with the tensor scale `nvfp4_scale` (nvfp4_tensor_scale of the
// whole tensor's amax), which other formats ignore.
void quantize_into_blocks(const BlockFormat& format, const float* x, std::size_t n, ScaleRule rule, TieRule tie,
                          float nvfp4_scale, std::vector<QuantizedBlock>& out);

// `values` as consecutive blocks of `format` (the last one zero-padded; NVFP4's tensor scale
// from all of them), in order.
std::vector<QuantizedBlock> quantize_into_blocks(const BlockFormat& format, const std::vector<float>& values,
                                                 ScaleRule rule, TieRule tie);

// The decoded value of each of `values`, quantized as quantize_into_blocks does. For `qarch quantize`.
std::vector<double> quantize_blocks(const BlockFormat& format, const std::vector<float>& values, ScaleRule rule,
                                    TieRule tie);

}  // namespace qarch::numerics
