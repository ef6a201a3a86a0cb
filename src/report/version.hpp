#pragma once

namespace qarch::report {

inline constexpr const char* kVersion = "0.1.0";
// Bumped when a field of summary.json or a column of layers.csv changes meaning or is removed
// (adding fields does not bump it).
inline constexpr int kSchemaVersion = 1;

}  // namespace qarch::report
