#include "numerics/accumulator.hpp"

#include <cmath>

#include "numerics/codec.hpp"

namespace qarch::numerics {

namespace {

Overflow resolve_overflow(const Format& format, std::optional<Overflow> overflow) {
  if (format.kind() == FormatKind::Quire) return Overflow::Saturate;
  const Overflow mode = overflow.value_or(default_overflow(format));
  check_overflow_mode(format, mode);
  return mode;
}

}  // namespace

Accumulator::Accumulator(const Format& format, std::optional<Overflow> overflow)
    : format_(format), overflow_(Overflow::Saturate), domain_(Domain::Integer) {
  switch (format.kind()) {
    case FormatKind::Int:
    case FormatKind::UInt:
    case FormatKind::Fixed: domain_ = Domain::Integer; break;
    case FormatKind::Float:
    case FormatKind::Posit: domain_ = Domain::Rounded; break;
    case FormatKind::Quire:
      domain_ = Domain::Quire;
      quire_.emplace(format.posit_bits(), format.posit_es());
      break;
    case FormatKind::Pow2:
    case FormatKind::Binary:
    case FormatKind::Ternary:
      throw FormatError(format.to_string() +
                        " cannot be an accumulator; use intN, uintN, fixedN_F, a float, a posit "
                        "or quire<n,es>");
  }
  overflow_ = resolve_overflow(format, overflow);
  if (domain_ == Domain::Integer) {
    const int n = format.bits();
    min_units_ = format.is_signed() ? -(std::int64_t{1} << (n - 1)) : 0;
    max_units_ = format.is_signed() ? (std::int64_t{1} << (n - 1)) - 1 : (std::int64_t{1} << n) - 1;
  }
}

void Accumulator::reset() {
  units_ = 0;
  rounded_ = 0.0;
  overflow_count_ = 0;
  if (quire_) quire_->reset();
}

void Accumulator::add_integer_units(std::int64_t units) {
  // |units_| < 2^32 and |units| < 2^62, so the sum cannot overflow int64.
  std::int64_t sum = units_ + units;
  if (sum < min_units_ || sum > max_units_) {
    ++overflow_count_;
    if (overflow_ == Overflow::Wrap) {
      const std::int64_t modulus = max_units_ - min_units_ + 1;
      sum = ((sum - min_units_) % modulus + modulus) % modulus + min_units_;
    } else {
      sum = sum < min_units_ ? min_units_ : max_units_;
    }
  }
  units_ = sum;
}

void Accumulator::set_rounded(double sum) {
  const Encoded e = encode(format_, sum, Rounding::NearestEven, overflow_);
  if (e.overflow && !std::isinf(sum)) ++overflow_count_;
  rounded_ = decode(format_, e.code);
}

void Accumulator::add(const ExactValue& product) {
  switch (domain_) {
    case Domain::Integer: {
      if (!product.is_finite()) {
        // Not reachable through check_mac: integer accumulators take integer-valued operands.
        ++overflow_count_;
        return;
      }
      const int shift = product.exponent + format_.fraction_bits();
      std::uint64_t magnitude = product.significand;
      bool too_big = false;
      if (shift >= 0) {
        too_big = magnitude != 0 && (shift >= 62 || (magnitude >> (62 - shift)) != 0);
        if (!too_big) magnitude <<= shift;
      } else {
        // Below the accumulator's lsb: round to nearest even (not reachable through check_mac).
        const int drop = -shift;
        if (drop >= 64) {
          magnitude = 0;
        } else {
          const std::uint64_t rest = magnitude & ((std::uint64_t{1} << drop) - 1);
          const std::uint64_t half = std::uint64_t{1} << (drop - 1);
          magnitude >>= drop;
          if (rest > half || (rest == half && (magnitude & 1u))) ++magnitude;
        }
      }
      if (too_big) {
        ++overflow_count_;
        units_ = product.negative ? min_units_ : max_units_;
        if (overflow_ == Overflow::Wrap) units_ = 0;  // a multiple of 2^62 wraps to ~0; rare
        return;
      }
      const auto units = static_cast<std::int64_t>(magnitude);
      add_integer_units(product.negative ? -units : units);
      return;
    }
    case Domain::Rounded:
      set_rounded(add_round_to_odd(ExactValue::from_double(rounded_), product));
      return;
    case Domain::Quire:
      quire_->add(product);
      return;
  }
}

std::uint64_t Accumulator::overflow_count() const {
  return overflow_count_ + (quire_ && quire_->overflowed() ? 1 : 0);
}

double Accumulator::value() const {
  switch (domain_) {
    case Domain::Integer: return std::ldexp(static_cast<double>(units_), -format_.fraction_bits());
    case Domain::Rounded: return rounded_;
    case Domain::Quire: return quire_->to_double();
  }
  return 0.0;
}

Format Accumulator::result_format() const {
  if (domain_ == Domain::Quire) return Format::make_posit(format_.posit_bits(), format_.posit_es());
  return format_;
}

std::uint32_t Accumulator::code() const {
  switch (domain_) {
    case Domain::Integer:
      return static_cast<std::uint32_t>(static_cast<std::uint64_t>(units_)) & format_.code_mask();
    case Domain::Rounded:
      return encode(format_, rounded_, Rounding::NearestEven, overflow_).code;
    case Domain::Quire: return quire_->to_posit(result_format());
  }
  return 0;
}

}  // namespace qarch::numerics
