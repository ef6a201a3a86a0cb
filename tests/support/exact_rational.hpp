#pragma once
// Exact rational arithmetic for the tests (Boost.Multiprecision): doubles as rationals, and
// roundings onto a grid and into binary floats written from their definitions, independent of
// src/numerics.

// GCC 12 at -O3 reports a false maybe-uninitialized inside cpp_int's inlined limb copies.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <boost/multiprecision/cpp_int.hpp>
#include <cmath>

namespace qarch::testing {

using boost::multiprecision::cpp_int;
using boost::multiprecision::cpp_rational;

inline cpp_rational pow2(int e) {
  return e >= 0 ? cpp_rational(cpp_int(1) << e) : cpp_rational(cpp_int(1), cpp_int(1) << -e);
}

inline cpp_rational exact(double v) {  // finite v
  int e = 0;
  const double m = std::frexp(v, &e);
  return cpp_rational(cpp_int(static_cast<long long>(std::ldexp(m, 53)))) * pow2(e - 53);
}

inline double to_double(const cpp_rational& x) {  // x = n / 2^k with n of at most 53 bits: exact
  const cpp_int den = denominator(x);
  const int k = den == 1 ? 0 : static_cast<int>(msb(den));
  return std::ldexp(numerator(x).convert_to<double>(), -k);
}

// x rounded to the nearest multiple of q, ties to an even multiple.
inline cpp_rational round_on_grid(const cpp_rational& x, const cpp_rational& q) {
  const cpp_rational t = x / q;
  cpp_int n = numerator(t) / denominator(t);  // toward zero
  if (t < 0 && cpp_rational(n) != t) n -= 1;   // floor
  const cpp_rational rest = t - cpp_rational(n);
  if (rest > cpp_rational(1, 2) || (rest == cpp_rational(1, 2) && (n & 1) != 0)) n += 1;
  return cpp_rational(n) * q;
}

// A binary float with p significand bits, normal exponents emin..emax (subnormals below):
// nearest even; +-inf past the largest value.
inline double round_float(const cpp_rational& x, int p, int emin, int emax) {
  if (x == 0) return 0.0;
  const cpp_rational a = abs(x);
  int e = static_cast<int>(msb(numerator(a))) - static_cast<int>(msb(denominator(a)));
  if (a < pow2(e)) --e;  // now 2^e <= |x| < 2^(e+1)
  const cpp_rational r = round_on_grid(x, pow2(std::max(e, emin) - (p - 1)));
  if (abs(r) > (2 - pow2(1 - p)) * pow2(emax)) return x < 0 ? -HUGE_VAL : HUGE_VAL;
  return to_double(r);
}

}  // namespace qarch::testing
