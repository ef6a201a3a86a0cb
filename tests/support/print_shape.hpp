#pragma once
// Readable gtest output for workload shapes.

#include <ostream>

#include "workload/layer.hpp"

namespace qarch::workload {

inline void PrintTo(const Shape& shape, std::ostream* out) { *out << shape.to_string(); }

}  // namespace qarch::workload
