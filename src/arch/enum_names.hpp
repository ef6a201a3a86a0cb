#pragma once
// One name table per closed set of the architecture (dataflow, DRAM type, cost style, mapper
// objective): the YAML spelling of each value is written once, here, and to_string(), the
// loader's "expected one of ..." list and parsing all read it.

#include <array>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "arch/arch_spec.hpp"

namespace qarch::arch {

template <class E, std::size_t N>
using NameTable = std::array<std::pair<E, std::string_view>, N>;

// Each dataflow's implementation is registered under its value in mapping/dataflows.cpp.
inline constexpr NameTable<Dataflow, 5> kDataflowNames{{{Dataflow::WeightStationary, "ws"},
                                                        {Dataflow::OutputStationary, "os"},
                                                        {Dataflow::InputStationary, "is"},
                                                        {Dataflow::RowStationary, "rs"},
                                                        {Dataflow::AdderTree, "adder_tree"}}};
inline constexpr NameTable<DramType, 3> kDramTypeNames{
    {{DramType::Ddr4, "ddr4"}, {DramType::Lpddr4, "lpddr4"}, {DramType::Hbm2, "hbm2"}}};
inline constexpr NameTable<CostStyle, 2> kCostStyleNames{
    {{CostStyle::Absolute, "absolute"}, {CostStyle::EyerissNormalized, "eyeriss_normalized"}}};
inline constexpr NameTable<MapperObjective, 3> kMapperObjectiveNames{
    {{MapperObjective::Cycles, "cycles"}, {MapperObjective::Energy, "energy"}, {MapperObjective::Edp, "edp"}}};

template <class E, std::size_t N>
constexpr std::string_view name_in(const NameTable<E, N>& table, E value) {
  for (const auto& [v, name] : table)
    if (v == value) return name;
  return "?";
}

// The value spelled `name`; the table's first value when there is none (the loader has then
// already recorded the error).
template <class E, std::size_t N>
constexpr E value_in(const NameTable<E, N>& table, std::string_view name) {
  for (const auto& [v, n] : table)
    if (n == name) return v;
  return table.front().first;
}

template <class E, std::size_t N>
std::vector<std::string> names_in(const NameTable<E, N>& table) {
  std::vector<std::string> names;
  for (const auto& entry : table) names.emplace_back(entry.second);
  return names;
}

}  // namespace qarch::arch
