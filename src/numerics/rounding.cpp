#include "numerics/rounding.hpp"

#include "numerics/format.hpp"
#include "numerics/text.hpp"

namespace qarch::numerics {

Rounding parse_rounding(std::string_view text) {
  if (text == "nearest_even") return Rounding::NearestEven;
  if (text == "toward_zero") return Rounding::TowardZero;
  if (text == "stochastic") return Rounding::Stochastic;
  throw FormatError("unknown rounding '" + std::string(text) +
                    "': expected nearest_even, toward_zero or stochastic" +
                    did_you_mean(text, rounding_names()));
}

std::string to_string(Rounding rounding) {
  switch (rounding) {
    case Rounding::NearestEven: return "nearest_even";
    case Rounding::TowardZero: return "toward_zero";
    case Rounding::Stochastic: return "stochastic";
  }
  return "?";
}

std::vector<std::string> rounding_names() { return {"nearest_even", "toward_zero", "stochastic"}; }

Overflow parse_overflow(std::string_view text) {
  if (text == "saturate") return Overflow::Saturate;
  if (text == "wrap") return Overflow::Wrap;
  if (text == "infinity") return Overflow::Infinity;
  throw FormatError("unknown overflow mode '" + std::string(text) +
                    "': expected saturate, wrap or infinity" +
                    did_you_mean(text, overflow_names()));
}

std::string to_string(Overflow overflow) {
  switch (overflow) {
    case Overflow::Saturate: return "saturate";
    case Overflow::Wrap: return "wrap";
    case Overflow::Infinity: return "infinity";
  }
  return "?";
}

std::vector<std::string> overflow_names() { return {"saturate", "wrap", "infinity"}; }

}  // namespace qarch::numerics
