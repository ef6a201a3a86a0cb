#pragma once
// The accumulator of a PE: adds products and counts overflows, with the semantics of its
// format (docs/numerics.md, "Accumulators"):
// - intN / uintN / fixedN_F: exact integer adds in units of 2^-F; a sum outside the N-bit range
//   saturates or wraps (Overflow::Saturate / Wrap) and is counted, per add;
// - floats (fp32, bf16, fp<e,m>, ...) and posits: each add is rounded once to nearest even;
//   an overflowing float add gives +-inf (Overflow::Infinity, the default) or saturates, and is
//   counted; posits saturate at maxpos and count it;
// - quire<n,es>: exact; rounded once when read as a posit.

#include <cstdint>
#include <optional>

#include "numerics/exact_value.hpp"
#include "numerics/format.hpp"
#include "numerics/quire.hpp"
#include "numerics/rounding.hpp"

namespace qarch::numerics {

class Mac;

class Accumulator {
 public:
  // Throws FormatError for formats that cannot accumulate (pow2, binary, ternary) and for an
  // overflow mode the format does not have. Without a mode: wrap-free saturation for
  // integers, Infinity for IEEE floats, Saturate otherwise.
  explicit Accumulator(const Format& format, std::optional<Overflow> overflow = std::nullopt);

  void add(const ExactValue& product);
  void add(double product) { add(ExactValue::from_double(product)); }
  void reset();

  const Format& format() const { return format_; }
  Overflow overflow_mode() const { return overflow_; }
  // Adds whose result left the format's range (saturated, wrapped or became infinite).
  std::uint64_t overflow_count() const;

  // The current sum: exact for integer, float and posit accumulators; for a quire the nearest
  // double (exact up to 53 significant bits).
  double value() const;
  // The format results are read in: the accumulator's own, or posit<n,es> for quire<n,es>.
  Format result_format() const;
  // The sum as a code of result_format() (a quire is rounded to nearest even once).
  std::uint32_t code() const;

 private:
  friend class Mac;
  enum class Domain { Integer, Rounded, Quire };

  void add_integer_units(std::int64_t units);  // integer domain: one add with overflow rule
  void set_rounded(double exact_sum_round_to_odd);

  Format format_;
  Overflow overflow_;
  Domain domain_;
  std::int64_t units_ = 0;      // Integer: the sum in units of 2^-F
  std::int64_t min_units_ = 0;  // Integer: range of the N-bit code
  std::int64_t max_units_ = 0;
  double rounded_ = 0.0;        // Rounded: the sum, a value of format_
  std::optional<Quire> quire_;  // Quire
  std::uint64_t overflow_count_ = 0;
};

}  // namespace qarch::numerics
