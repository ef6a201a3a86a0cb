#pragma once
// The quire of posit<n,es>: a two's complement fixed-point register that adds products of
// posits exactly. Its least significant bit is minpos^2 = 2^-(2(n-2)2^es); it holds
// 32 + 4(n-2)2^es bits (sign, 31 carry-guard bits, integer and fraction parts), the Posit
// Standard's 16n bits for es = 2.

#include <array>
#include <cstddef>
#include <cstdint>

#include "numerics/exact_value.hpp"
#include "numerics/format.hpp"

namespace qarch::numerics {

class Quire {
 public:
  Quire(int posit_bits, int es);

  // Adds `value` exactly. Values must be multiples of the quire's lsb and below its range
  // (every product of two posit<n',es> values with n' <= n is); bits below the lsb are
  // truncated. NaN and infinities make the quire NaR until reset().
  void add(const ExactValue& value);
  // Adds count x 2^-fraction_bits() exactly (the fast paths' partial sums).
  __extension__ void add_units(__int128 count);

  void reset();
  bool is_nar() const { return nar_; }
  int fraction_bits() const { return fraction_bits_; }
  int width_bits() const { return width_bits_; }
  // True once the sum has left the quire's width (more than 2^31 maximal products); the sum
  // is then still exact in the wider register we keep, and the flag is counted as overflow.
  bool overflowed() const;

  double to_double() const;  // nearest double; NaN if NaR
  // Rounded once to posit<n,es> (nearest, ties to even pattern), as a code.
  std::uint32_t to_posit(const Format& posit) const;

 private:
  void add_shifted(std::uint64_t magnitude, bool negative, int shift);
  double to_double_round_to_odd() const;

  int fraction_bits_;
  int width_bits_;
  bool nar_ = false;
  // Little-endian two's complement in the first count_ limbs (one spare limb on top); 32 limbs
  // hold the widest quire, quire<32,4> (1952 bits).
  static constexpr std::size_t kMaxLimbs = 32;
  std::size_t count_;
  std::array<std::uint64_t, kMaxLimbs> limbs_{};
};

}  // namespace qarch::numerics
