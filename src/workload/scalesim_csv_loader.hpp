#pragma once
// SCALE-Sim v2 topology files (docs/workloads.md, ../shared/reference/scalesim-semantics.md).

#include <string>

#include "workload/network.hpp"

namespace qarch::workload {

// Parses topology text; `file` names it in messages. Throws config::InputError naming the line,
// column and field of every bad value.
Network parse_scalesim_csv(const std::string& text, const std::string& file);

Network load_scalesim_csv(const std::string& path);

}  // namespace qarch::workload
