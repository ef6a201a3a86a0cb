#include "dse/sweep_spec.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>

#include "arch/arch_spec.hpp"
#include "config/document.hpp"
#include "config/map_reader.hpp"
#include "config/suggest.hpp"
#include "workload/network.hpp"

namespace qarch::dse {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t kMaxAxisValues = 100000;

bool looks_integer(const std::string& text) {
  std::size_t start = (!text.empty() && (text[0] == '-' || text[0] == '+')) ? 1 : 0;
  return text.size() > start && text.find_first_not_of("0123456789", start) == std::string::npos;
}

std::string shortest(double value) {
  char buffer[64];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buffer, sizeof buffer, "%.*g", precision, value);
    if (std::strtod(buffer, nullptr) == value) break;
  }
  return buffer;
}

std::string resolve(const std::string& spec_file, const std::string& path) {
  const fs::path p(path);
  if (p.is_absolute()) return p.lexically_normal().string();
  const fs::path dir = fs::path(spec_file).parent_path();
  return (dir.empty() ? p : (dir / p)).lexically_normal().string();
}

// `values` of one axis: a list of scalars, one scalar, or a range mapping.
std::vector<std::string> read_axis_values(const config::Value& value, config::Diagnostics& diags) {
  std::vector<std::string> values;
  if (value.is_scalar()) return {value.scalar()};
  if (value.is_sequence()) {
    if (value.size() == 0) diags.add(value.location(), value.path(), "the list of values is empty");
    for (std::size_t i = 0; i < value.size(); ++i) {
      const config::Value element = value.at(i);
      if (!element.is_scalar()) {
        diags.add(element.location(), element.path(),
                  "expected a single value (what --set KEY=VALUE takes), got " +
                      config::describe(element));
        continue;
      }
      values.push_back(element.scalar());
    }
    return values;
  }
  if (!value.is_map()) {
    diags.add(value.location(), value.path(),
              "expected a list of values or a range {from, to, step | factor}, got " +
                  config::describe(value));
    return values;
  }
  config::MapReader range(value, diags);
  const std::size_t before = diags.size();
  const double from = range.number("from", -1e18, 1e18);
  const double to = range.number("to", -1e18, 1e18);
  std::optional<double> step, factor;
  range.child("step", false);  // known keys, for "did you mean" on a misspelling
  range.child("factor", false);
  if (range.has("step")) step = range.number("step", 0, 1e18, std::nullopt, true);
  if (range.has("factor")) factor = range.number("factor", 1, 1e9, std::nullopt, true);
  if (step.has_value() == factor.has_value()) {
    range.error(step ? "factor" : "step", "a range takes exactly one of 'step' (arithmetic) or "
                                          "'factor' (geometric)");
  }
  range.finish();
  if (diags.size() != before) return values;
  if (to < from) {
    range.error("to", "must not be below 'from' (" + shortest(from) + ")");
    return values;
  }
  bool integers = true;
  for (const char* key : {"from", "to", "step", "factor"}) {
    if (value.has(key) && !looks_integer(value.get(key).scalar())) integers = false;
  }
  if (step && (to - from) / *step >= static_cast<double>(kMaxAxisValues)) {
    range.error("step", "the range has more than " + std::to_string(kMaxAxisValues) + " values");
    return values;
  }
  if (factor && from <= 0) {
    range.error("from", "a geometric range (factor) must start above 0");
    return values;
  }
  return expand_range(from, to, step, factor, integers);
}

}  // namespace

std::vector<std::string> expand_range(double from, double to, std::optional<double> step,
                                      std::optional<double> factor, bool integers) {
  std::vector<std::string> values;
  const double slack = 1e-9 * std::max(std::fabs(from), std::fabs(to));
  for (std::size_t i = 0; values.size() < kMaxAxisValues; ++i) {
    const double k = static_cast<double>(i);
    const double v = step ? from + k * *step : from * std::pow(*factor, k);
    if (v > to + slack) break;
    if (integers) {
      values.push_back(std::to_string(std::llround(v)));
    } else {
      // 12 significant digits drop the binary noise of from + i * step (0.30000000000000004).
      char rounded[64];
      std::snprintf(rounded, sizeof rounded, "%.12g", v);
      values.push_back(shortest(std::strtod(rounded, nullptr)));
    }
  }
  return values;
}

std::size_t SweepSpec::point_count() const {
  std::size_t count = 1;
  for (const auto& group : groups) {
    const std::size_t n = axes[group.front()].values.size();
    if (n == 0) return 0;
    if (count > kMaxPoints / n + 1) return kMaxPoints + 1;
    count *= n;
  }
  return count;
}

namespace {

SweepSpec read_spec(const config::Document& doc) {
  const std::string& file = doc.file();
  config::Diagnostics diags;
  config::MapReader top(doc.root(), diags);
  SweepSpec spec;
  spec.file = file;
  spec.name = top.text("name", fs::path(file).stem().string());
  // The name becomes a directory under out/sweeps/: one plain path component.
  if (spec.name.empty() || spec.name == "." || spec.name == ".." ||
      spec.name.find_first_of("/\\") != std::string::npos ||
      std::any_of(spec.name.begin(), spec.name.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20; })) {
    top.error("name", "must be one directory name (no '/', not '.' or '..', no control characters), got '" +
                          spec.name + "'");
  }
  spec.arch = top.text("arch");
  spec.workload = top.text("workload");
  spec.arch_where = top.location_of("arch");
  spec.workload_where = top.location_of("workload");
  spec.arch_path = resolve(file, spec.arch);
  spec.workload_path = resolve(file, spec.workload);
  for (const auto& [key, path] : {std::pair{"arch", spec.arch_path},
                                  std::pair{"workload", spec.workload_path}}) {
    std::error_code ec;
    if (!path.empty() && top.has(key) && !fs::is_regular_file(path, ec)) {
      top.error(key, "no such file: " + path + " (paths are relative to the spec's folder)");
    }
  }
  const std::string mode = top.choice("mode", {"cartesian", "zip"}, "cartesian");
  spec.mode = mode == "zip" ? Combine::Zip : Combine::Cartesian;
  top.child("timeout_s", false);  // a known key even when absent
  if (top.has("timeout_s")) spec.timeout_s = top.number("timeout_s", 0, 1e7, std::nullopt, true);

  if (const auto set = top.child("set", false)) {
    if (!set->is_map()) {
      diags.add(set->location(), "set",
                "expected a mapping of config keys to values, got " + config::describe(*set));
    } else {
      for (const auto& key : set->keys()) {
        const config::Value v = set->get(key);
        if (!v.is_scalar()) {
          diags.add(v.location(), v.path(), "expected a single value, got " + config::describe(v));
          continue;
        }
        if (key == kWorkloadAxis) {
          diags.add(set->key_location(key), "set.workload", "the network is the spec's 'workload:' key");
          continue;
        }
        spec.fixed.push_back({key, v.scalar(), set->key_location(key)});
      }
    }
  }

  if (const auto axes = top.child("axes", true)) {
    if (!axes->is_map() || axes->size() == 0) {
      diags.add(axes->location(), "axes",
                "expected a mapping of config keys to lists or ranges, got " +
                    config::describe(*axes));
    } else {
      std::set<std::string> seen;
      for (const auto& key : axes->keys()) {
        if (!seen.insert(key).second) {
          diags.add(axes->key_location(key), "axes." + key, "the axis is given twice");
          continue;
        }
        Axis axis{key, read_axis_values(axes->get(key), diags), axes->key_location(key), {}};
        if (key == kWorkloadAxis) {  // network files, relative to the spec's folder
          for (const std::string& value : axis.values) {
            axis.paths.push_back(resolve(file, value));
            std::error_code ec;
            if (!fs::is_regular_file(axis.paths.back(), ec)) {
              diags.add(axis.where, "axes.workload",
                        "no such file: " + axis.paths.back() + " (paths are relative to the spec's folder)");
            }
          }
        }
        for (const auto& f : spec.fixed) {
          if (f.key == key) {
            diags.add(axis.where, "axes." + key,
                      "is also fixed under 'set' (" + f.where.to_string() + "); keep one");
          }
        }
        spec.axes.push_back(std::move(axis));
      }
    }
  }

  std::vector<std::string> axis_names;
  for (const auto& axis : spec.axes) axis_names.push_back(axis.key);
  std::map<std::string, std::size_t> index_of;
  for (std::size_t i = 0; i < spec.axes.size(); ++i) index_of[spec.axes[i].key] = i;
  std::vector<int> group_of(spec.axes.size(), -1);
  std::vector<std::vector<std::size_t>> zipped;
  if (const auto zip = top.child("zip", false)) {
    if (spec.mode == Combine::Zip) {
      diags.add(zip->location(), "zip", "'mode: zip' already advances every axis together; "
                                        "drop 'zip' or use mode: cartesian");
    } else if (!zip->is_sequence()) {
      diags.add(zip->location(), "zip",
                "expected a list of axis groups, e.g. [[pe_array.rows, pe_array.cols]], got " +
                    config::describe(*zip));
    } else {
      for (std::size_t g = 0; g < zip->size(); ++g) {
        const config::Value group = zip->at(g);
        if (!group.is_sequence() || group.size() < 2) {
          diags.add(group.location(), group.path(),
                    "expected a list of two or more axis names, got " + config::describe(group));
          continue;
        }
        std::vector<std::size_t> members;
        for (std::size_t m = 0; m < group.size(); ++m) {
          const config::Value name = group.at(m);
          const auto it = index_of.find(name.scalar());
          if (!name.is_scalar() || it == index_of.end()) {
            diags.add(name.location(), name.path(),
                      "not an axis: " + config::describe(name) +
                          config::did_you_mean(name.scalar(), axis_names) + "; axes are " +
                          config::join_alternatives(axis_names));
            continue;
          }
          if (group_of[it->second] != -1) {
            diags.add(name.location(), name.path(), "axis '" + name.scalar() + "' is in two zip groups");
            continue;
          }
          group_of[it->second] = static_cast<int>(zipped.size());
          members.push_back(it->second);
        }
        for (const std::size_t m : members) {
          if (spec.axes[m].values.size() != spec.axes[members.front()].values.size()) {
            diags.add(group.location(), group.path(),
                      "zipped axes need the same number of values: " + spec.axes[members.front()].key +
                          " has " + std::to_string(spec.axes[members.front()].values.size()) + ", " +
                          spec.axes[m].key + " has " + std::to_string(spec.axes[m].values.size()));
            break;
          }
        }
        zipped.push_back(members);
      }
    }
  }
  if (spec.mode == Combine::Zip && !spec.axes.empty()) {
    std::vector<std::size_t> all;
    for (std::size_t i = 0; i < spec.axes.size(); ++i) {
      all.push_back(i);
      if (spec.axes[i].values.size() != spec.axes[0].values.size()) {
        diags.add(spec.axes[i].where, "axes." + spec.axes[i].key,
                  "mode: zip needs every axis to have the same number of values: " +
                      spec.axes[0].key + " has " + std::to_string(spec.axes[0].values.size()) +
                      ", this one has " + std::to_string(spec.axes[i].values.size()));
      }
    }
    spec.groups.push_back(all);
  } else {
    std::vector<bool> placed(zipped.size(), false);
    for (std::size_t i = 0; i < spec.axes.size(); ++i) {
      if (group_of[i] == -1) {
        spec.groups.push_back({i});
      } else if (!placed[static_cast<std::size_t>(group_of[i])]) {
        placed[static_cast<std::size_t>(group_of[i])] = true;
        auto members = zipped[static_cast<std::size_t>(group_of[i])];
        std::sort(members.begin(), members.end());
        spec.groups.push_back(members);
      }
    }
  }

  // Every point must differ: the value tuples of each group must be distinct.
  for (const auto& group : spec.groups) {
    std::set<std::vector<std::string>> tuples;
    const std::size_t n = spec.axes[group.front()].values.size();
    for (std::size_t i = 0; i < n; ++i) {
      std::vector<std::string> tuple;
      for (const std::size_t a : group) {
        if (i < spec.axes[a].values.size()) tuple.push_back(spec.axes[a].values[i]);
      }
      if (!tuples.insert(tuple).second) {
        const Axis& first = spec.axes[group.front()];
        diags.add(first.where, "axes." + first.key,
                  std::string(group.size() > 1 ? "a combination of zipped values" : "a value") +
                      " is listed twice; each point must differ");
        break;
      }
    }
  }

  if (const auto args = top.child("run_args", false)) {
    if (!args->is_sequence()) {
      diags.add(args->location(), "run_args",
                "expected a list of arguments for qarch run, got " + config::describe(*args));
    } else {
      for (std::size_t i = 0; i < args->size(); ++i) {
        const config::Value a = args->at(i);
        const std::string word = a.scalar();
        if (!a.is_scalar()) {
          diags.add(a.location(), a.path(), "expected one argument, got " + config::describe(a));
        } else if (word == "--arch" || word == "--workload" || word == "--out" || word == "--format") {
          diags.add(a.location(), a.path(), "'" + word + "' is set by the sweep itself");
        } else {
          spec.run_args.push_back(word);
        }
      }
    }
  }
  top.finish();
  if (diags.empty() && spec.point_count() > kMaxPoints) {
    top.error("axes", "the spec expands to more than " + std::to_string(kMaxPoints) +
                          " points; split it into several sweeps");
  }
  diags.throw_if_any();
  return spec;
}

}  // namespace

SweepSpec parse_sweep_spec(const std::string& text, const std::string& file) {
  return read_spec(config::Document::parse(text, file));
}

SweepSpec load_sweep_spec(const std::string& path) {
  return read_spec(config::Document::load(path));
}

void check_against_arch(const SweepSpec& spec) {
  // Each `key=value` sets the architecture, or (workload.KEY, workload::workload_setting) the network.
  std::vector<config::Override> fixed, fixed_workload;
  for (const auto& f : spec.fixed) {
    const config::Override o = config::Override::parse(f.key + "=" + f.value);
    if (auto setting = workload::workload_setting(o)) {
      fixed_workload.push_back(std::move(*setting));
    } else {
      fixed.push_back(o);
    }
  }
  config::Diagnostics problems;
  // Re-anchors a diagnostic raised by an override at the spec line that asked for it.
  const auto anchor = [&](const config::Diagnostic& d, const std::string& override_text,
                          const config::Location& where, const std::string& key_path) {
    if (d.where.file != override_text) return false;
    problems.add(where, key_path, d.message);
    return true;
  };
  const auto anchor_fixed = [&](const config::Diagnostic& d) {
    for (const auto& f : spec.fixed) {
      if (anchor(d, "--set " + f.key + "=" + f.value, f.where, "set." + f.key)) return;
    }
    problems.add(d);
  };
  try {
    arch::load_arch(spec.arch_path, fixed);
  } catch (const config::InputError& e) {
    problems.add(spec.arch_where, "arch",
                 "the base design point does not load with the fixed settings, so every point "
                 "would fail:");
    for (const auto& d : e.diagnostics()) anchor_fixed(d);
    problems.throw_if_any();
  }
  // Every network of the sweep, with the fixed workload settings.
  std::vector<std::pair<std::string, config::Location>> networks = {{spec.workload_path, spec.workload_where}};
  for (const auto& axis : spec.axes) {
    if (axis.key != kWorkloadAxis) continue;
    networks.clear();
    for (const std::string& path : axis.paths) networks.emplace_back(path, axis.where);
  }
  for (const auto& [path, where] : networks) {
    try {
      workload::load_network(path, fixed_workload);
    } catch (const config::InputError& e) {
      problems.add(where, "workload", "the workload " + path + " does not load:");
      for (const auto& d : e.diagnostics()) anchor_fixed(d);
    }
  }
  for (const auto& axis : spec.axes) {
    if (axis.values.empty() || axis.key == kWorkloadAxis) continue;
    const config::Override o = config::Override::parse(axis.key + "=" + axis.values.front());
    const std::optional<config::Override> setting = workload::workload_setting(o);
    const bool of_workload = setting.has_value();
    auto overrides = of_workload ? fixed_workload : fixed;
    overrides.push_back(setting.value_or(o));
    try {
      if (of_workload) {
        workload::load_network(networks.front().first, overrides);
      } else {
        arch::load_arch(spec.arch_path, overrides);
      }
    } catch (const config::InputError& e) {
      for (const auto& d : e.diagnostics()) {
        const bool structural = d.message.rfind("unknown key", 0) == 0 ||
                                d.message.find("has no key") != std::string::npos ||
                                d.message.find("no layer named") != std::string::npos ||
                                d.message.find("index out of range") != std::string::npos;
        if (structural) anchor(d, overrides.back().text, axis.where, "axes." + axis.key);
      }
    }
  }
  problems.throw_if_any();
}

}  // namespace qarch::dse
