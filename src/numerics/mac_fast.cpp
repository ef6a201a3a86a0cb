// The table-driven loops of Mac::dot(). Each is chosen only when it gives bit-identical results
// to adding generic_product() through Accumulator::add(); anything unusual (an overflowing or
// non-finite float sum) falls back to that generic add for the one element.

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <limits>

#include "numerics/codec.hpp"
#include "numerics/codec_detail.hpp"
#include "numerics/mac.hpp"

namespace qarch::numerics {

namespace {

using detail::i128;

constexpr std::int64_t kNoValue = std::numeric_limits<std::int64_t>::min();  // NaN / NaR
constexpr double kUnitLimit = 0x1p62;

bool exact_style(const MultiplierStyle& s) {
  return s.kind() == MultiplierKind::Exact || s.kind() == MultiplierKind::ShiftAdd ||
         s.kind() == MultiplierKind::XnorPopcount;
}

// Integer value * 2^shift for each code (kNoValue for NaN); false if some value is not an
// integer below 2^62 in magnitude. `max_abs` gets the largest magnitude.
bool units_table(const Format& f, int shift, std::vector<std::int64_t>& out, double& max_abs) {
  out.assign(static_cast<std::size_t>(f.code_count()), 0);
  max_abs = 0;
  for (std::uint64_t c = 0; c < f.code_count(); ++c) {
    const double v = decode(f, static_cast<std::uint32_t>(c));
    if (std::isnan(v)) {
      out[c] = kNoValue;
      continue;
    }
    const double u = std::ldexp(v, shift);
    if (!std::isfinite(u) || u != std::trunc(u) || std::fabs(u) >= kUnitLimit) return false;
    out[c] = static_cast<std::int64_t>(u);
    max_abs = std::fmax(max_abs, std::fabs(u));
  }
  return true;
}

// Float decode table; false unless every product of a weight and an activation value is an
// exact float (so float multiplication gives the exact product).
bool float_tables(const Format& w, const Format& a, std::vector<float>& wt, std::vector<float>& at) {
  struct Stats {
    int precision = 0;
    int min_exponent = std::numeric_limits<int>::max();
    double max_abs = 0;
  };
  const auto fill = [](const Format& f, std::vector<float>& t, Stats& s) {
    t.assign(static_cast<std::size_t>(f.code_count()), 0.0f);
    for (std::uint64_t c = 0; c < f.code_count(); ++c) {
      const double v = decode(f, static_cast<std::uint32_t>(c));
      const auto fv = static_cast<float>(v);
      if (!std::isnan(v) && static_cast<double>(fv) != v) return false;
      t[c] = fv;
      if (!std::isfinite(v) || v == 0.0) continue;
      const ExactValue e = ExactValue::from_double(v);
      s.precision = std::max(s.precision, 64 - __builtin_clzll(e.significand));
      s.min_exponent = std::min(s.min_exponent, e.exponent);
      s.max_abs = std::fmax(s.max_abs, std::fabs(v));
    }
    return true;
  };
  Stats sw;
  Stats sa;
  if (!fill(w, wt, sw) || !fill(a, at, sa)) return false;
  return sw.precision + sa.precision <= 24 && sw.min_exponent + sa.min_exponent >= -149 &&
         sw.max_abs * sa.max_abs <= static_cast<double>(FLT_MAX);
}

int bits_of(double max_abs) {
  int e = 0;
  std::frexp(max_abs, &e);
  return e;  // max_abs < 2^e
}

}  // namespace

void Mac::build_fast_path() {
  const bool small16 = weight_.bits() <= 16 && activation_.bits() <= 16;
  const bool small8 = weight_.bits() <= 8 && activation_.bits() <= 8;
  const FormatKind acc_kind = accumulator_.kind();
  const bool integer_acc = accumulator_.is_integer_like();
  const int quire_fraction =
      acc_kind == FormatKind::Quire ? 2 * (accumulator_.posit_bits() - 2) * (1 << accumulator_.posit_es()) : 0;

  if (exact_style(style_) && small16) {
    double max_w = 0;
    double max_a = 0;
    if (integer_acc) {
      const int fa = activation_.fraction_bits();
      if (units_table(weight_, accumulator_.fraction_bits() - fa, weight_units_, max_w) &&
          units_table(activation_, fa, activation_units_, max_a) && max_w * max_a < kUnitLimit) {
        path_ = Path::Integer;
        return;
      }
    } else if (accumulator_.is_fp32()) {
      if (float_tables(weight_, activation_, weight_floats_, activation_floats_)) {
        path_ = Path::Float32;
        return;
      }
    } else if (acc_kind == FormatKind::Quire) {
      const int half = quire_fraction / 2;
      if (units_table(weight_, half, weight_units_, max_w) &&
          units_table(activation_, half, activation_units_, max_a) &&
          bits_of(max_w) + bits_of(max_a) <= 120) {
        const int product_bits = bits_of(max_w) + bits_of(max_a);
        quire_flush_ = std::size_t{1} << std::min(20, 125 - product_bits);
        quire_small_products_ = product_bits <= 62;
        path_ = Path::Quire;
        return;
      }
    }
  }
  weight_units_.clear();
  activation_units_.clear();
  weight_floats_.clear();
  activation_floats_.clear();
  if (!small8) {
    if (build_mitchell_integer()) path_ = Path::MitchellInteger;
    return;
  }

  const std::size_t size = static_cast<std::size_t>(weight_.code_count() * activation_.code_count());
  const int shift = integer_acc ? accumulator_.fraction_bits() : quire_fraction;
  if (integer_acc || acc_kind == FormatKind::Quire) {
    product_units_.assign(size, 0);
  } else if (accumulator_.is_fp32()) {
    product_floats_.assign(size, 0.0f);
  } else {
    return;
  }
  for (std::uint64_t w = 0; w < weight_.code_count(); ++w) {
    for (std::uint64_t a = 0; a < activation_.code_count(); ++a) {
      const std::size_t index = static_cast<std::size_t>((w << activation_bits_) | a);
      const ExactValue p = generic_product(static_cast<std::uint32_t>(w), static_cast<std::uint32_t>(a));
      const double v = p.to_double();
      const bool exact_double = !p.is_finite() || p.significand < (std::uint64_t{1} << 53);
      if (!product_floats_.empty()) {
        const auto f = static_cast<float>(v);
        if (!exact_double || (!std::isnan(v) && static_cast<double>(f) != v)) {
          product_floats_.clear();
          return;
        }
        product_floats_[index] = f;
        continue;
      }
      if (std::isnan(v) && acc_kind == FormatKind::Quire) {
        product_units_[index] = kNoValue;
        continue;
      }
      const double u = std::ldexp(v, shift);
      if (!exact_double || !std::isfinite(u) || u != std::trunc(u) || std::fabs(u) >= kUnitLimit) {
        product_units_.clear();
        return;
      }
      product_units_[index] = static_cast<std::int64_t>(u);
    }
  }
  quire_flush_ = std::size_t{1} << 20;  // table products are below 2^62
  path_ = !product_floats_.empty() ? Path::Float32Table
          : integer_acc            ? Path::IntegerTable
                                   : Path::QuireTable;
}

bool Mac::build_mitchell_integer() {
  // mitchell_product on integer magnitudes A = 2^k + x and B = 2^k' + x' (values in units of
  // 2^-fraction bits): the approximation only sees the fractions x / 2^k, so it is
  // 2^(k+k') + S if S < 2^(k+k'), else 2 S, with S = x 2^k' + x' 2^k, all integers.
  if (style_.kind() != MultiplierKind::Mitchell || !accumulator_.is_integer_like() || !weight_.is_integer_like() ||
      !activation_.is_integer_like() || weight_.bits() > 16 || activation_.bits() > 16) {
    return false;
  }
  mitchell_shift_ = accumulator_.fraction_bits() - weight_.fraction_bits() - activation_.fraction_bits();
  if (mitchell_shift_ < 0) return false;  // products finer than the accumulator's lsb
  const int t = style_.truncation_bits();
  int max_k = 0;
  const auto table = [&](const Format& f, std::vector<MitchellOperand>& out) {
    out.assign(static_cast<std::size_t>(f.code_count()), MitchellOperand{});
    for (std::uint64_t c = 0; c < f.code_count(); ++c) {
      const double v = std::ldexp(decode(f, static_cast<std::uint32_t>(c)), f.fraction_bits());
      const auto magnitude = static_cast<std::int64_t>(std::fabs(v));  // an integer below 2^16
      MitchellOperand& o = out[c];
      o.negative = std::signbit(v) ? -1 : 0;
      if (magnitude == 0) continue;
      o.nonzero = -1;
      o.k = 63 - __builtin_clzll(static_cast<std::uint64_t>(magnitude));
      o.fraction = magnitude - (std::int64_t{1} << o.k);
      if (t > 0 && o.k > t) o.fraction = (o.fraction >> (o.k - t)) << (o.k - t);
      max_k = std::max(max_k, o.k);
    }
  };
  int max_weight_k = 0;
  table(weight_, mitchell_weights_);
  std::swap(max_k, max_weight_k);
  table(activation_, mitchell_activations_);
  // Products are below 2^(k + k' + 2) units before the shift: well inside int64.
  return max_weight_k + max_k + 2 + mitchell_shift_ < 62;
}

std::vector<std::int64_t> Mac::quire_product_units() const {
  static_assert(kQuireNaR == kNoValue);
  if (weight_.bits() > 8 || activation_.bits() > 8) return {};
  if (path_ == Path::QuireTable) return product_units_;
  if (path_ != Path::Quire || !quire_small_products_) return {};
  std::vector<std::int64_t> out(static_cast<std::size_t>(weight_.code_count() << activation_bits_));
  for (std::uint64_t w = 0; w < weight_.code_count(); ++w) {
    for (std::uint64_t a = 0; a < activation_.code_count(); ++a) {
      const std::int64_t x = weight_units_[w], y = activation_units_[a];
      out[static_cast<std::size_t>(w << activation_bits_ | a)] = x == kNoValue || y == kNoValue ? kNoValue : x * y;
    }
  }
  return out;
}

template <typename Product>
void Mac::add_integer_products(Accumulator& acc, std::size_t n, const Product& product) {
  std::int64_t sum = acc.units_;
  const std::int64_t lo = acc.min_units_;
  const std::int64_t hi = acc.max_units_;
  for (std::size_t i = 0; i < n; ++i) {
    const std::int64_t p = product(i);
    const std::int64_t s = sum + p;
    if (s < lo || s > hi) {  // the accumulator's overflow rule for this one add
      acc.units_ = sum;
      acc.add_integer_units(p);
      sum = acc.units_;
    } else {
      sum = s;
    }
  }
  acc.units_ = sum;
}

void Mac::dot(Accumulator& acc, const std::uint32_t* weights, const std::uint32_t* activations,
              std::size_t n, std::ptrdiff_t weight_stride, std::ptrdiff_t activation_stride) const {
  if (acc.format() != accumulator_) {
    throw FormatError("Mac::dot: a " + acc.format().to_string() + " accumulator given to a MAC that accumulates in " +
                      accumulator_.to_string());
  }
  const std::uint32_t wm = weight_mask_;
  const std::uint32_t am = activation_mask_;
  const int ab = activation_bits_;
  const auto at = [&](std::size_t i, std::uint32_t& w, std::uint32_t& a) {
    w = weights[static_cast<std::ptrdiff_t>(i) * weight_stride] & wm;
    a = activations[static_cast<std::ptrdiff_t>(i) * activation_stride] & am;
  };
  std::uint32_t w = 0;
  std::uint32_t a = 0;
  switch (path_) {
    case Path::Generic:
      for (std::size_t i = 0; i < n; ++i) {
        at(i, w, a);
        acc.add(generic_product(w, a));
      }
      return;
    case Path::MitchellInteger:
      add_integer_products(acc, n, [&](std::size_t i) {
        at(i, w, a);
        const MitchellOperand& x = mitchell_weights_[w];
        const MitchellOperand& y = mitchell_activations_[a];
        const std::int64_t s = (x.fraction << y.k) + (y.fraction << x.k);
        const std::int64_t one = std::int64_t{1} << (x.k + y.k);
        // Without branches (zero operands and the two cases are data-dependent): a zero operand
        // masks the product to 0, the sign is a conditional negation.
        const std::int64_t magnitude = ((s < one ? one + s : s << 1) << mitchell_shift_) & (x.nonzero & y.nonzero);
        const std::int64_t sign = x.negative ^ y.negative;
        return (magnitude ^ sign) - sign;
      });
      return;
    case Path::Integer:
    case Path::IntegerTable: {
      const bool table = path_ == Path::IntegerTable;
      add_integer_products(acc, n, [&](std::size_t i) {
        at(i, w, a);
        return table ? product_units_[(static_cast<std::size_t>(w) << ab) | a] : weight_units_[w] * activation_units_[a];
      });
      return;
    }
    case Path::Float32:
    case Path::Float32Table: {
      auto sum = static_cast<float>(acc.rounded_);
      const bool table = path_ == Path::Float32Table;
      for (std::size_t i = 0; i < n; ++i) {
        at(i, w, a);
        const float p = table ? product_floats_[(static_cast<std::size_t>(w) << ab) | a]
                              : weight_floats_[w] * activation_floats_[a];
        const float s = sum + p;
        if (std::isfinite(s)) {
          sum = s;
        } else {
          acc.rounded_ = static_cast<double>(sum);
          acc.add(generic_product(w, a));
          sum = static_cast<float>(acc.rounded_);
        }
      }
      acc.rounded_ = static_cast<double>(sum);
      return;
    }
    case Path::Quire:
    case Path::QuireTable: {
      i128 sum = 0;
      const std::size_t flush = quire_flush_;
      const bool table = path_ == Path::QuireTable;
      const bool small = quire_small_products_;
      std::size_t pending = 0;
      for (std::size_t i = 0; i < n; ++i) {
        at(i, w, a);
        if (table) {
          const std::int64_t p = product_units_[(static_cast<std::size_t>(w) << ab) | a];
          if (p == kNoValue) {
            acc.quire_->add(ExactValue::nan());
            continue;
          }
          sum += p;
        } else {
          const std::int64_t x = weight_units_[w];
          const std::int64_t y = activation_units_[a];
          if (x == kNoValue || y == kNoValue) {
            acc.quire_->add(ExactValue::nan());
            continue;
          }
          if (small) {
            sum += x * y;
          } else {
            sum += static_cast<i128>(x) * y;
          }
        }
        if (++pending == flush) {
          acc.quire_->add_units(sum);
          sum = 0;
          pending = 0;
        }
      }
      acc.quire_->add_units(sum);
      return;
    }
  }
}

}  // namespace qarch::numerics
