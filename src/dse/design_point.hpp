#pragma once
// The design points of a sweep spec, in point order, with stable ids.

#include <cstddef>
#include <string>
#include <vector>

#include "dse/sweep_spec.hpp"

namespace qarch::dse {

struct DesignPoint {
  std::size_t index = 0;            // position in point order (0-based)
  std::string id;                   // stable: derived from the axis values only
  std::vector<std::string> values;  // one per axis, in spec.axes order
};

// Point order: groups (see SweepSpec::groups) nest like loops, the first group outermost, so
// for axes a: [1, 2] and b: [x, y] the order is (1,x) (1,y) (2,x) (2,y).
// Throws std::runtime_error on an id collision (a 48-bit hash; never seen in practice).
std::vector<DesignPoint> expand_points(const SweepSpec& spec);

// 12 hex digits of FNV-1a over "key=value\n" lines sorted by key. It does not depend on the
// order of axes or values in the spec, so a point keeps its id (and its finished result) when
// values are added to or removed from an axis.
std::string point_id(const std::vector<std::string>& keys, const std::vector<std::string>& values);

// The `--set` arguments ("key=value") of one point: the fixed settings, then the axis values
// (but the workload axis's).
std::vector<std::string> point_settings(const SweepSpec& spec, const DesignPoint& point);

// The network file of one point: its value of the workload axis, else the spec's workload.
std::string point_workload(const SweepSpec& spec, const DesignPoint& point);

}  // namespace qarch::dse
