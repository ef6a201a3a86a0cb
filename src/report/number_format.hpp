#pragma once
// How the terminal summary and report.md write numbers for people (issue: one formatter for
// every command): SI prefixes only on quantities with a unit, four significant digits, ratios
// plain, fractions as percentages, counts grouped in threes. Machine outputs (CSV, JSON) keep
// the shortest round-trip form of columns.hpp's format_number.

#include <cstdint>
#include <string>

namespace qarch::report {

// `digits` significant digits, no exponent for 1e-4 <= |value| < 1e15: "0.1088", "1.434",
// "53150" (a trailing zero after the point is dropped: "2.5", not "2.500").
std::string significant(double value, int digits = 4);

// `decimals` decimals, for columns that line up: "36.0".
std::string fixed(double value, int decimals);

// A quantity with a unit and an SI prefix from p to T: "15.67 us", "26.91 mJ", "1.434 W".
std::string quantity(double value, const std::string& unit);

// A fraction as a percentage with `decimals` decimals: "87.21 %".
std::string percent_of(double fraction, int decimals = 2);

// Digits grouped in threes: "4,089,184,256".
std::string grouped(std::int64_t value);

}  // namespace qarch::report
