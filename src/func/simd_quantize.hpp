#pragma once
// A layer's input stage for integer formats in SIMD lanes: x / scale rounded to the nearest
// integer (ties to even), saturated into [lo, hi], as ValueQuantizer does one value at a time.
// Lanes never interact, so the codes are the scalar ones on every instruction set (Highway,
// run-time dispatch).

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

}  // namespace qarch::func
