#include "cost/technology.hpp"

#include <iomanip>
#include <sstream>

#include "config/document.hpp"
#include "config/map_reader.hpp"

namespace qarch::cost {

namespace {

constexpr double kMaxCoefficient = 1e9;

std::string short_number(double v) {
  std::ostringstream out;
  out << std::setprecision(4) << v;
  return out.str();
}

bool starts_with(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

// Reads one entry: every schema key a non-negative number, plus a non-empty `source`.
TechEntry read_entry(config::MapReader& r, const EntrySchema& schema) {
  TechEntry e;
  e.where = r.value().location();
  for (const std::string& key : schema.keys) {
    // A utilization or a ratio of areas must be a fraction; everything else non-negative.
    const bool fraction = key == "cell_utilization";
    e.values[key] = r.number(key, 0.0, fraction ? 1.0 : kMaxCoefficient, std::nullopt, fraction);
  }
  e.source = r.text("source");
  if (r.has("source") && e.source.empty()) r.error("source", "every table entry must cite its source");
  r.finish();
  return e;
}

struct Scale {
  double energy = 1, area = 1;
  std::string source;
};

Technology load_file(const std::string& models_dir, const std::string& name, int depth) {
  const std::string path = models_dir + "/" + name + ".yaml";
  const config::Document document = config::Document::load(path);
  config::Diagnostics diagnostics;
  config::MapReader top(document.root(), diagnostics);
  Technology tech;
  tech.file = path;
  tech.name = top.text("name");
  if (tech.name != name) top.error("name", "must be '" + name + "', the file's name");
  tech.description = top.text("description", std::string{});
  const std::string base = top.text("derived_from", std::string{});
  Scale scale;
  if (!base.empty()) {
    if (depth > 0) top.error("derived_from", "a derived table cannot derive from another derived one");
    if (const auto s = top.child("scale", true)) {
      config::MapReader sr(*s, diagnostics);
      scale.energy = sr.number("energy", 0.0, 1000.0, std::nullopt, true);
      scale.area = sr.number("area", 0.0, 1000.0, std::nullopt, true);
      scale.source = sr.text("source");
      sr.finish();
    }
  }
  for (const EntrySchema& schema : technology_schema()) {
    const auto value = top.child(schema.name, base.empty());
    if (!value) continue;
    config::MapReader r(*value, diagnostics);
    tech.entries[schema.name] = read_entry(r, schema);
  }
  top.finish();
  diagnostics.throw_if_any();
  if (base.empty()) return tech;

  // Entries the derived table does not write: the base's, scaled by the node factors.
  const Technology parent = load_file(models_dir, base, depth + 1);
  for (const EntrySchema& schema : technology_schema()) {
    if (tech.entries.count(schema.name)) continue;
    TechEntry e = parent.entries.at(schema.name);
    if (schema.node_scaled) {
      for (auto& [key, v] : e.values) {
        if (starts_with(key, "energy")) v *= scale.energy;
        if (starts_with(key, "area")) v *= scale.area;
      }
      e.source = "scaled from " + base + " (energy x" + short_number(scale.energy) + ", area x" +
                 short_number(scale.area) + "; " + scale.source + ") of: " + e.source;
    }
    tech.entries[schema.name] = e;
  }
  return tech;
}

}  // namespace

double Technology::at(const std::string& entry, const std::string& key) const {
  return entries.at(entry).values.at(key);
}

const std::string& Technology::source(const std::string& entry) const {
  return entries.at(entry).source;
}

const std::vector<EntrySchema>& technology_schema() {
  static const std::vector<EntrySchema> schema = {
      {"int_multiplier", {"energy_ab", "energy_a_plus_b", "area_ab", "area_a_plus_b"}},
      {"int_adder", {"energy_fixed", "energy_per_bit", "area_fixed", "area_per_bit"}},
      {"shifter", {"energy_per_bit_stage", "area_per_bit_stage"}},
      {"leading_one_detector", {"energy_per_bit", "area_per_bit"}},
      {"fp_multiplier",
       {"energy_per_significand_bit_sq", "energy_per_exponent_bit", "area_per_significand_bit_sq",
        "area_fixed"}},
      {"fp_adder", {"energy_per_significand_bit", "area_per_significand_bit_log"}},
      {"logic_gate", {"energy_per_bit", "area_per_bit"}},
      {"gated_mac", {"fraction_of_mac"}},
      {"register_file", {"energy_per_bit", "energy_per_bit_per_entry", "area_per_bit"}},
      {"sram",
       {"energy_per_bit_fixed", "energy_per_bit_sqrt", "reference_bytes", "write_to_read",
        "area_per_bit", "area_per_bank_word_bit"}},
      {"wire", {"energy_per_bit_um"}},
      {"leakage", {"power_mw_per_mm2"}, false},
      {"voltage", {"nominal_v", "threshold_v", "alpha", "min_v"}, false},
      {"layout", {"cell_utilization"}, false},
      {"calibration", {"dynamic_factor"}, false},
      {"normalized", {"alu", "register_file", "array", "buffer", "dram"}, false},
  };
  return schema;
}

Technology load_technology(const std::string& models_dir, const std::string& name) {
  return load_file(models_dir, name, 0);
}

}  // namespace qarch::cost
