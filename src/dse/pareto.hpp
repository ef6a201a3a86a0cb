#pragma once
// Pareto fronts. A point dominates another when it is at least as good in every objective and
// strictly better in one; the front is every point nothing dominates. Points with equal
// objective values do not dominate each other, so duplicates on the front all stay.

#include <cstddef>
#include <string>
#include <vector>

#include "dse/csv.hpp"

namespace qarch::dse {

struct Objective {
  std::string column;
  bool maximize = false;
};

// Indices (ascending) of the non-dominated rows of `values` (values[i][k] is objective k of
// point i; `maximize[k]` says its direction). Every row must have maximize.size() values.
// O(n log n) for one or two objectives, else O(n log n + n * front size * objectives).
std::vector<std::size_t> pareto_front(const std::vector<std::vector<double>>& values,
                                      const std::vector<bool>& maximize);

// True when `a` dominates `b` (same directions as above).
bool dominates(const std::vector<double>& a, const std::vector<double>& b,
               const std::vector<bool>& maximize);

struct FrontResult {
  CsvTable front;                  // the front's rows, every column, in the input's order
  std::vector<std::string> notes;  // why rows were left out ("12 rows have no energy_pj ...")
  std::size_t candidates = 0;      // rows that had every objective
};

// The front of a results table. Rows whose `status` column (if any) is not "ok" and rows with
// an empty or non-numeric objective are left out, with a note saying how many and why.
// Throws config::InputError naming `file` when an objective is not a column.
FrontResult pareto_front(const CsvTable& table, const std::vector<Objective>& objectives,
                         const std::string& file);

}  // namespace qarch::dse
