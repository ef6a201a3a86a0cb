#include "report/number_format.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <utility>

namespace qarch::report {

std::string significant(double value, int digits) {
  if (!std::isfinite(value)) return std::isnan(value) ? "nan" : (value > 0 ? "inf" : "-inf");
  if (value == 0) return "0";
  const double magnitude = std::fabs(value);
  char buffer[64];
  if (magnitude < 1e-4 || magnitude >= 1e15) {
    std::snprintf(buffer, sizeof buffer, "%.*g", digits, value);
    return buffer;
  }
  // Decimals so that `digits` significant ones are shown, then trailing zeros dropped.
  const int exponent = static_cast<int>(std::floor(std::log10(magnitude)));
  const int decimals = std::max(0, digits - 1 - exponent);
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
  std::string text = buffer;
  if (text.find('.') != std::string::npos) {
    while (text.back() == '0') text.pop_back();
    if (text.back() == '.') text.pop_back();
  }
  return text;
}

std::string quantity(double value, const std::string& unit) {
  static const std::pair<double, const char*> prefixes[] = {{1e12, "T"}, {1e9, "G"}, {1e6, "M"}, {1e3, "k"},
                                                            {1, ""},     {1e-3, "m"}, {1e-6, "u"}, {1e-9, "n"},
                                                            {1e-12, "p"}};
  if (value == 0 || !std::isfinite(value)) return significant(value) + " " + unit;
  for (const auto& [scale, prefix] : prefixes) {
    // Rounded to four digits first, so that 999.96 is "1 k", not "1000".
    const double scaled = std::stod(significant(value / scale));
    if (std::fabs(scaled) >= 1 || scale == 1e-12) return significant(scaled) + " " + prefix + unit;
  }
  return significant(value) + " " + unit;
}

std::string fixed(double value, int decimals) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
  return buffer;
}

std::string percent_of(double fraction, int decimals) { return fixed(fraction * 100.0, decimals) + " %"; }

std::string grouped(std::int64_t value) {
  const std::uint64_t magnitude = value < 0 ? 0 - static_cast<std::uint64_t>(value) : static_cast<std::uint64_t>(value);
  std::string digits = std::to_string(magnitude);
  for (int i = static_cast<int>(digits.size()) - 3; i > 0; i -= 3) digits.insert(static_cast<std::size_t>(i), ",");
  return (value < 0 ? "-" : "") + digits;
}

}  // namespace qarch::report
