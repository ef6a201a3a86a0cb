// Every code of every format of 16 bits or fewer, checked against reference.hpp.

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "numerics/codec.hpp"
#include "reference.hpp"

namespace qarch::numerics {
namespace {

std::vector<std::string> small_formats() {
  std::vector<std::string> names;
  for (int n = 1; n <= 16; ++n) {
    names.push_back("int" + std::to_string(n));
    names.push_back("uint" + std::to_string(n));
  }
  for (const char* s : {"fixed8_0", "fixed8_3", "fixed8_8", "fixed16_8", "fixed16_16", "fixed1_1",
                        "fp8_e4m3", "fp8_e5m2", "fp<4,3>", "fp<3,4>", "fp<2,1>", "fp<2,5>",
                        "fp<6,9>", "fp16", "bf16", "fp<5,2>", "fp<8,1>", "pow2_2", "pow2_3",
                        "pow2_4", "pow2_5", "pow2_8", "binary", "ternary"}) {
    names.emplace_back(s);
  }
  for (int n = 2; n <= 16; ++n) {
    for (int es = 0; es <= 4; ++es) {
      names.push_back("posit<" + std::to_string(n) + "," + std::to_string(es) + ">");
    }
  }
  return names;
}

long double reference_value(const Format& f, std::uint32_t code) {
  switch (f.kind()) {
    case FormatKind::Int:
    case FormatKind::UInt:
    case FormatKind::Fixed:
      return reference::integer_value(code, f.bits(), f.is_signed(), f.fraction_bits());
    case FormatKind::Float:
      return reference::float_value(code, f.exponent_bits(), f.mantissa_bits(), f.is_ocp_e4m3());
    case FormatKind::Posit: return reference::posit_value(code, f.bits(), f.posit_es());
    case FormatKind::Pow2:
    case FormatKind::Ternary: return reference::pow2_value(code, f.bits());
    case FormatKind::Binary: return code == 0 ? 1.0L : -1.0L;
    case FormatKind::Quire: break;
  }
  return 0;
}

bool is_posit(const Format& f) { return f.kind() == FormatKind::Posit; }

// A code with its reference value, for the finite codes of a format sorted by value. Where
// +0 and -0 both exist, -0 is the neighbour of negative values and +0 of positive ones.
struct Point {
  long double value;
  std::uint32_t code;
};

std::vector<Point> sorted_finite_points(const Format& f) {
  std::vector<Point> points;
  for (std::uint64_t c = 0; c < f.code_count(); ++c) {
    const auto code = static_cast<std::uint32_t>(c);
    const long double v = reference_value(f, code);
    if (std::isfinite(v)) points.push_back({v, code});
  }
  std::sort(points.begin(), points.end(), [](const Point& a, const Point& b) {
    if (a.value != b.value) return a.value < b.value;
    return std::signbit(a.value) && !std::signbit(b.value);
  });
  return points;
}

class Exhaustive : public ::testing::TestWithParam<std::string> {};

TEST_P(Exhaustive, DecodeMatchesReferenceForEveryCode) {
  const Format f = Format::parse(GetParam());
  for (std::uint64_t c = 0; c < f.code_count(); ++c) {
    const auto code = static_cast<std::uint32_t>(c);
    const long double expected = reference_value(f, code);
    const double got = decode(f, code);
    if (std::isnan(expected)) {
      ASSERT_TRUE(std::isnan(got)) << f.to_string() << " code " << code;
    } else {
      ASSERT_EQ(static_cast<long double>(got), expected) << f.to_string() << " code " << code;
      ASSERT_EQ(std::signbit(got), std::signbit(expected)) << f.to_string() << " code " << code;
    }
  }
}

TEST_P(Exhaustive, EveryCodeReencodesToItself) {
  const Format f = Format::parse(GetParam());
  for (std::uint64_t c = 0; c < f.code_count(); ++c) {
    const auto code = static_cast<std::uint32_t>(c);
    const double v = decode(f, code);
    if (std::isnan(v)) {
      // NaN payloads are not kept; any NaN comes back as a NaN code of the format.
      ASSERT_TRUE(std::isnan(decode(f, quantize(f, v)))) << f.to_string();
      continue;
    }
    for (Rounding r : {Rounding::NearestEven, Rounding::TowardZero}) {
      const Encoded e = encode(f, v, r, default_overflow(f));
      ASSERT_EQ(e.code, code) << f.to_string() << " value " << v;
      ASSERT_FALSE(e.overflow) << f.to_string() << " value " << v;
    }
  }
}

TEST_P(Exhaustive, ValuesAreMonotonicInCodeOrder) {
  const Format f = Format::parse(GetParam());
  // Posits, ints and fixed order like two's complement integers; the others are sign-magnitude
  // (binary: a sign bit), so their magnitudes order like unsigned codes.
  const int n = f.bits();
  const std::uint32_t sign = 1u << (n - 1);
  std::vector<std::pair<long long, std::uint32_t>> keyed;
  for (std::uint64_t c = 0; c < f.code_count(); ++c) {
    const auto code = static_cast<std::uint32_t>(c);
    if (std::isnan(decode(f, code))) continue;
    long long key = static_cast<long long>(code);
    if (f.kind() == FormatKind::UInt) {
    } else if (f.kind() == FormatKind::Int || f.kind() == FormatKind::Fixed || is_posit(f)) {
      if (code & sign) key -= 1LL << n;
    } else if (code & sign) {
      key = -static_cast<long long>(code & (sign - 1u)) * 2 - 1;  // -0 just below +0
    } else {
      key *= 2;
    }
    keyed.emplace_back(key, code);
  }
  std::sort(keyed.begin(), keyed.end());
  for (std::size_t i = 1; i < keyed.size(); ++i) {
    const double a = decode(f, keyed[i - 1].second);
    const double b = decode(f, keyed[i].second);
    ASSERT_TRUE(a < b || (a == 0 && b == 0))
        << f.to_string() << " codes " << keyed[i - 1].second << ", " << keyed[i].second;
  }
}

// The value that separates lo and hi under round-to-nearest: the arithmetic midpoint, except
// for posits, whose rounding is defined on the bit string: the tie is the posit<n+1,es> value
// between the two patterns.
long double tie_point(const Format& f, const Point& lo, const Point& hi) {
  if (!is_posit(f)) return (lo.value + hi.value) / 2;
  const std::uint64_t wide = (static_cast<std::uint64_t>(lo.code) << 1) | 1u;
  return reference::posit_value(wide & ((std::uint64_t{1} << (f.bits() + 1)) - 1), f.bits() + 1,
                                f.posit_es());
}

TEST_P(Exhaustive, NearestEvenAndTowardZeroAtEveryMidpoint) {
  const Format f = Format::parse(GetParam());
  const std::vector<Point> points = sorted_finite_points(f);
  const Overflow ov = default_overflow(f);
  for (std::size_t i = 1; i < points.size(); ++i) {
    const Point& lo = points[i - 1];
    const Point& hi = points[i];
    if (lo.value == hi.value) continue;  // -0, +0
    if (is_posit(f) && (lo.value == 0 || hi.value == 0)) continue;  // never rounds to zero
    const long double tie = tie_point(f, lo, hi);
    const auto mid = static_cast<double>(tie);
    ASSERT_EQ(static_cast<long double>(mid), tie) << "midpoint not exact in double";
    ASSERT_TRUE(tie > lo.value && tie < hi.value);
    const std::uint32_t even = (lo.code & 1u) == 0 ? lo.code : hi.code;
    if (f.kind() != FormatKind::Binary) {
      ASSERT_EQ((lo.code ^ hi.code) & 1u, 1u) << "neighbours differ in the last bit";
    }
    const std::uint32_t toward_zero = hi.value <= 0 ? hi.code : lo.code;
    ASSERT_EQ(encode(f, mid, Rounding::NearestEven, ov).code, even)
        << f.to_string() << " tie " << mid;
    ASSERT_EQ(encode(f, std::nextafter(mid, -INFINITY), Rounding::NearestEven, ov).code, lo.code)
        << f.to_string() << " below " << mid;
    ASSERT_EQ(encode(f, std::nextafter(mid, INFINITY), Rounding::NearestEven, ov).code, hi.code)
        << f.to_string() << " above " << mid;
    if (f.kind() != FormatKind::Binary) {
      ASSERT_EQ(encode(f, mid, Rounding::TowardZero, ov).code, toward_zero) << f.to_string();
      const auto next_to_far = static_cast<double>(hi.value <= 0 ? lo.value : hi.value);
      ASSERT_EQ(encode(f, std::nextafter(next_to_far, 0.0), Rounding::TowardZero, ov).code,
                toward_zero)
          << f.to_string();
    }
  }
}

std::string test_name(const ::testing::TestParamInfo<std::string>& param_info) {
  std::string name;
  for (char c : param_info.param) {
    name += (std::isalnum(static_cast<unsigned char>(c)) != 0) ? c : '_';
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(SmallFormats, Exhaustive, ::testing::ValuesIn(small_formats()),
                         test_name);

}  // namespace
}  // namespace qarch::numerics
