#pragma once
// A PE's multiply-accumulate: a multiplier style applied to weight and activation codes, the
// products added to an Accumulator. Built once per (style, formats) and then called in tight
// loops by the functional engine; operand formats of up to 8 bits (16 for exact integer and
// float styles) take table-driven fast paths, which give bit-identical results to the
// generic path (tests/unit/numerics/mac_test.cpp compares them).

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <vector>

#include "numerics/accumulator.hpp"
#include "numerics/exact_value.hpp"
#include "numerics/format.hpp"
#include "numerics/multiplier.hpp"

namespace qarch::numerics {

class Mac {
 public:
  // Throws FormatError with check_mac()'s sentence if the combination cannot be built.
  // `overflow` is the accumulator's overflow mode (see Accumulator).
  Mac(const MultiplierStyle& style, const Format& weight, const Format& activation,
      const Format& accumulator, std::optional<Overflow> overflow = std::nullopt);

  const MultiplierStyle& style() const { return style_; }
  const Format& weight_format() const { return weight_; }
  const Format& activation_format() const { return activation_; }
  const Format& accumulator_format() const { return accumulator_; }

  // A zeroed accumulator of this MAC's accumulator format and overflow mode.
  Accumulator make_accumulator() const { return Accumulator(accumulator_, overflow_); }

  // The product the style computes for these codes, exactly (before accumulation).
  ExactValue product(std::uint32_t weight_code, std::uint32_t activation_code) const;

  // acc += product(w, a).
  void mac(Accumulator& acc, std::uint32_t weight_code, std::uint32_t activation_code) const;

  // acc += sum over i < n of product(weights[i * weight_stride], activations[i * activation_stride]),
  // added one by one in index order (saturation and float rounding are order-dependent).
  void dot(Accumulator& acc, const std::uint32_t* weights, const std::uint32_t* activations,
           std::size_t n, std::ptrdiff_t weight_stride = 1,
           std::ptrdiff_t activation_stride = 1) const;

  // Which loop dot() runs, for tests and benchmarks: "integer", "float32", "quire",
  // "integer_table", "float32_table", "quire_table", "mitchell_integer" or "generic".
  const char* fast_path_name() const;

  // The "quire" and "quire_table" paths with operands of up to 8 bits: every code pair's
  // product in units of the quire's lsb (2^-fraction bits), at index w << activation bits | a,
  // kQuireNaR where an operand is NaR. Empty for other paths, or where a product does not fit
  // int64.
  static constexpr std::int64_t kQuireNaR = std::numeric_limits<std::int64_t>::min();
  std::vector<std::int64_t> quire_product_units() const;

  // The "mitchell_integer" path (integer-like operands too wide for a product table): per
  // code, the magnitude's leading-one position k (in units of the format's lsb), its fraction
  // below that one (already truncated), the sign and a mask that is all ones unless the value
  // is zero (branch-free products); products are shifted left by mitchell_shift() into
  // accumulator units. Empty for other paths.
  struct MitchellOperand {
    std::int64_t fraction = 0;
    std::int64_t nonzero = 0;   // 0 or -1
    std::int64_t negative = 0;  // 0 or -1
    int k = 0;
  };
  const std::vector<MitchellOperand>& mitchell_weights() const { return mitchell_weights_; }
  const std::vector<MitchellOperand>& mitchell_activations() const { return mitchell_activations_; }
  int mitchell_shift() const { return mitchell_shift_; }

 private:
  enum class Path { Generic, Integer, Float32, Quire, IntegerTable, Float32Table, QuireTable, MitchellInteger };

  ExactValue generic_product(std::uint32_t weight_code, std::uint32_t activation_code) const;
  // acc += product(i) for i < n, each in accumulator units (integer paths), in order.
  template <typename Product>
  static void add_integer_products(Accumulator& acc, std::size_t n, const Product& product);
  void build_fast_path();

  MultiplierStyle style_;
  Format weight_;
  Format activation_;
  Format accumulator_;
  std::optional<Overflow> overflow_;
  Path path_ = Path::Generic;
  int activation_bits_ = 0;
  std::uint32_t weight_mask_ = 0;
  std::uint32_t activation_mask_ = 0;
  // Quire paths: partial sums are added to the quire every quire_flush_ products (so that they
  // stay below 2^125), and decode-table products fit int64 when quire_small_products_.
  std::size_t quire_flush_ = 1;
  bool quire_small_products_ = false;
  // Decode tables (Integer, Quire: units; Float32: values) and product tables (index
  // w << activation_bits | a) for the fast paths.
  std::vector<std::int64_t> weight_units_;
  std::vector<std::int64_t> activation_units_;
  std::vector<float> weight_floats_;
  std::vector<float> activation_floats_;
  std::vector<std::int64_t> product_units_;
  std::vector<float> product_floats_;
  std::vector<MitchellOperand> mitchell_weights_, mitchell_activations_;
  int mitchell_shift_ = 0;
  bool build_mitchell_integer();
};

// Mitchell's approximate product of two values given as doubles (exact), with fractions
// truncated to `truncation_bits` (0: not truncated). Finite non-zero operands are written as
// +-M x 2^E with M an integer; the approximation is applied to M1 and M2 (leading-one position
// k, fraction x = M/2^k - 1): 2^(k1+k2) (1 + x1 + x2) if x1 + x2 < 1, else 2^(k1+k2+1) (x1 + x2).
// Zeros, infinities and NaN give the exact IEEE product's class.
ExactValue mitchell_product(double a, double b, int truncation_bits);

}  // namespace qarch::numerics
