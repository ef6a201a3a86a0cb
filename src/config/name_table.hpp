#pragma once
// One name table per closed set (an enum spelled in YAML, CSV or reports): each value's spelling
// is written once, and to_string(), parsing and the "expected one of ..." lists all read it.
// Header-only, so any layer can use it.

#include <array>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace qarch::config {

template <class E, std::size_t N>
using NameTable = std::array<std::pair<E, std::string_view>, N>;

template <class E, std::size_t N>
constexpr std::string_view name_in(const NameTable<E, N>& table, E value) {
  for (const auto& [v, name] : table)
    if (v == value) return name;
  return "?";
}

// The value spelled `name`; the table's first value when there is none (the caller has then
// already recorded the error, e.g. through MapReader::choice).
template <class E, std::size_t N>
constexpr E value_in(const NameTable<E, N>& table, std::string_view name) {
  for (const auto& [v, n] : table)
    if (n == name) return v;
  return table.front().first;
}

// Whether `name` spells a value of the table.
template <class E, std::size_t N>
constexpr bool spelled_in(const NameTable<E, N>& table, std::string_view name) {
  for (const auto& entry : table)
    if (entry.second == name) return true;
  return false;
}

template <class E, std::size_t N>
std::vector<std::string> names_in(const NameTable<E, N>& table) {
  std::vector<std::string> names;
  for (const auto& entry : table) names.emplace_back(entry.second);
  return names;
}

}  // namespace qarch::config
