#pragma once
// A layer's input stage in SIMD lanes, as ValueQuantizer does one value at a time: for integer
// formats x / scale rounded to the nearest integer (ties to even) and saturated into [lo, hi];
// for small floats the normal range rounded on the bits. Lanes never interact, so the codes are
// the scalar ones on every instruction set (Highway, run-time dispatch).

#include <cstddef>
#include <cstdint>

namespace qarch::func {

// codes[i] = round_even(in[i] / scale) clamped to [lo, hi] (NaN: 0), as two's complement bits
// & mask, for the leading i below the returned count (whole vectors: the caller converts the
// rest); `saturated` gets the values outside [lo, hi] or NaN. Needs -2^31 <= lo <= hi < 2^31.
std::size_t quantize_to_integers(const double* in, double scale, std::size_t n, double lo, double hi,
                                 std::uint32_t mask, std::uint32_t* codes, std::int64_t& saturated);

// The same into int16 values (not codes): needs -32768 <= lo <= hi <= 32767.
std::size_t quantize_to_int16(const double* in, double scale, std::size_t n, double lo, double hi,
                              std::int16_t* values, std::int64_t& saturated);

// A float format below 32 bits with an IEEE-style layout (sign, exponent field = exponent +
// bias, mantissa), as ValueQuantizer's bit rounding sees it.
struct SmallFloatLayout {
  int mantissa_bits = 0;  // below 52
  int bias = 0;
  int top_field = 0;      // the largest exponent field taken in lanes
  std::uint32_t sign_bit = 0;
};

// Written for a value the lanes do not take: the caller quantizes it on the scalar path.
inline constexpr std::uint32_t kScalarCode = 0xffffffffu;

// codes[i] for the leading i below the returned count (whole vectors) of in[i] / scale: +0 is
// code 0; a value that rounds (nearest even, on the double's bits) to a normal number with an
// exponent field in [1, top_field] is its code; every other value (-0, subnormals, the top
// binades, saturation, infinities, NaN) is kScalarCode. Nothing here saturates.
std::size_t quantize_to_small_float(const double* in, double scale, std::size_t n, const SmallFloatLayout& f,
                                    std::uint32_t* codes);

}  // namespace qarch::func
