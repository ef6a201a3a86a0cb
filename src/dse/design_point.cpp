#include "dse/design_point.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <unordered_map>
#include <utility>

namespace qarch::dse {

std::string point_id(const std::vector<std::string>& keys, const std::vector<std::string>& values) {
  std::vector<std::pair<std::string, std::string>> pairs;
  for (std::size_t i = 0; i < keys.size() && i < values.size(); ++i) {
    pairs.emplace_back(keys[i], values[i]);
  }
  std::sort(pairs.begin(), pairs.end());
  std::uint64_t hash = 14695981039346656037ull;
  const auto feed = [&hash](const std::string& text) {
    for (const unsigned char c : text) {
      hash ^= c;
      hash *= 1099511628211ull;
    }
  };
  for (const auto& [key, value] : pairs) feed(key + "=" + value + "\n");
  char text[32];
  std::snprintf(text, sizeof text, "%012llx",
                static_cast<unsigned long long>(hash & 0xffffffffffffull));
  return text;
}

std::vector<DesignPoint> expand_points(const SweepSpec& spec) {
  std::vector<DesignPoint> points;
  const std::size_t count = spec.point_count();
  if (count == 0 || count > kMaxPoints) return points;
  std::vector<std::string> keys;
  for (const auto& axis : spec.axes) keys.push_back(axis.key);
  points.reserve(count);
  std::vector<std::size_t> digit(spec.groups.size(), 0);  // mixed-radix counter, last fastest
  std::unordered_map<std::string, std::size_t> seen;
  for (std::size_t n = 0; n < count; ++n) {
    DesignPoint point;
    point.index = n;
    point.values.resize(spec.axes.size());
    for (std::size_t g = 0; g < spec.groups.size(); ++g) {
      for (const std::size_t a : spec.groups[g]) point.values[a] = spec.axes[a].values[digit[g]];
    }
    point.id = point_id(keys, point.values);
    if (!seen.emplace(point.id, n).second) {
      throw std::runtime_error("design points " + std::to_string(seen[point.id]) + " and " +
                               std::to_string(n) + " have the same id " + point.id);
    }
    points.push_back(std::move(point));
    for (std::size_t g = spec.groups.size(); g-- > 0;) {
      if (++digit[g] < spec.axes[spec.groups[g].front()].values.size()) break;
      digit[g] = 0;
    }
  }
  return points;
}

std::vector<std::string> point_settings(const SweepSpec& spec, const DesignPoint& point) {
  std::vector<std::string> settings;
  for (const auto& f : spec.fixed) settings.push_back(f.key + "=" + f.value);
  for (std::size_t a = 0; a < spec.axes.size(); ++a) {
    if (spec.axes[a].key != kWorkloadAxis) settings.push_back(spec.axes[a].key + "=" + point.values[a]);
  }
  return settings;
}

std::string point_workload(const SweepSpec& spec, const DesignPoint& point) {
  for (std::size_t a = 0; a < spec.axes.size(); ++a) {
    const Axis& axis = spec.axes[a];
    if (axis.key != kWorkloadAxis) continue;
    const auto v = std::find(axis.values.begin(), axis.values.end(), point.values[a]);
    return axis.paths[static_cast<std::size_t>(v - axis.values.begin())];
  }
  return spec.workload_path;
}

}  // namespace qarch::dse
