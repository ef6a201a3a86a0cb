#pragma once
// One accumulation chain of a PE: an accumulator that starts at a value and adds the products
// of weight and activation codes in index order, with numerics::Mac's arithmetic. Adds one
// fast path Mac lacks: exact products of float-representable operands (fp32, bf16, ...) into an
// fp32 accumulator are a fused multiply-add (std::fmaf rounds w * a + acc once, as the
// accumulator does); a non-finite sum hands the rest of the chain to Mac. Results are
// bit-identical to Mac::dot (tests/unit/func/dot_kernel_test.cpp).

#include <cstdint>
#include <cstring>
#include <vector>

#include "numerics/accumulator.hpp"
#include "numerics/mac.hpp"

namespace qarch::func {

// Every code's value as a float (formats of up to 16 bits); false if some value is not one.
bool float_values(const numerics::Format& f, std::vector<float>& table);

// An fp32 code's value.
inline float bits_to_float(std::uint32_t code) {
  float f = 0;
  std::memcpy(&f, &code, sizeof f);
  return f;
}

class DotKernel {
 public:
  // Throws numerics::FormatError when the MAC cannot be built.
  DotKernel(const numerics::MultiplierStyle& style, const numerics::Format& weight,
            const numerics::Format& activation, const numerics::Format& accumulator);

  // The accumulator starts at `start` (a value of the accumulator's format, or 0), adds
  // product(w[i], a[i]) for i < n in order, and is read: its value, or for a quire the value
  // of the posit it rounds to. `overflows` gets the adds that overflowed.
  double chain(double start, const std::uint32_t* w, const std::uint32_t* a, std::int64_t n,
               std::uint64_t& overflows);

  // a + b as the accumulator's adder computes it (a and b values of its format): rounded or
  // saturated into the format, the overflow counted.
  double add(double a, double b, std::uint64_t& overflows);

  const numerics::Mac& mac() const { return mac_; }
  bool is_quire() const { return mac_.accumulator_format().kind() == numerics::FormatKind::Quire; }
  // The fused fp32 path (std::fmaf per product: float-valued operands whose products Mac's
  // float32 loop cannot take, e.g. fp32 or bf16, into fp32).
  bool fused() const { return fma_; }
  // "fma_fp32" for the fused path, else Mac's fast_path_name().
  const char* path_name() const;

 private:
  double read() const;

  numerics::Mac mac_;
  numerics::Accumulator acc_;
  bool fma_ = false;
  bool fp32_accumulator_ = false;
  bool weight_fp32_bits_ = false;  // fp32 operands: the code is the float's bit pattern
  bool activation_fp32_bits_ = false;
  std::vector<float> weight_floats_;  // decode tables for operands of <= 16 bits
  std::vector<float> activation_floats_;
};

}  // namespace qarch::func
