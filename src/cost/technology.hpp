#pragma once
// One technology table of models/ (models/README.md, docs/cost.md): for each component class a
// set of named coefficients (energy in pJ, area in um^2) and the source they come from. The
// formulas that combine them are in blocks.hpp; the numbers are data and never live in code.

#include <map>
#include <string>
#include <vector>

#include "config/diagnostic.hpp"

namespace qarch::cost {

// One table entry: coefficients by name and where they come from.
struct TechEntry {
  std::map<std::string, double> values;
  std::string source;  // paper, table and node, or the formula the entry was scaled by
  config::Location where;
};

struct Technology {
  std::string name;         // "45nm"
  std::string file;         // the table it was loaded from
  std::string description;
  std::map<std::string, TechEntry> entries;

  // The coefficient `key` of entry `entry`. Both exist after loading (the loader checks every
  // entry against the schema), so a miss is a programming error: std::out_of_range.
  double at(const std::string& entry, const std::string& key) const;
  const std::string& source(const std::string& entry) const;
};

// The entries every table must have and the coefficients of each. Keys that start with
// "energy" scale with a derived table's energy factor, keys that start with "area" with its area
// factor, others (sizes, ratios) do not scale.
struct EntrySchema {
  std::string name;
  std::vector<std::string> keys;
  bool node_scaled = true;  // false: off-chip (DRAM) or already per node (normalized costs)
};
const std::vector<EntrySchema>& technology_schema();

// Loads models_dir/<name>.yaml. A table may be derived from another one (`derived_from:` with
// `scale: {energy, area, source}`): its entries are the base's, scaled, and any entry it
// writes itself replaces the scaled one. Throws config::InputError listing every problem with
// file:line:column (missing entry, missing or negative coefficient, missing source, unknown key).
Technology load_technology(const std::string& models_dir, const std::string& name);

}  // namespace qarch::cost
