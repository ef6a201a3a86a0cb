#include "dse/pareto.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <numeric>

#include "config/diagnostic.hpp"
#include "config/suggest.hpp"

namespace qarch::dse {

bool dominates(const std::vector<double>& a, const std::vector<double>& b,
               const std::vector<bool>& maximize) {
  bool strictly = false;
  for (std::size_t k = 0; k < maximize.size(); ++k) {
    const double x = maximize[k] ? -a[k] : a[k];
    const double y = maximize[k] ? -b[k] : b[k];
    if (x > y) return false;
    if (x < y) strictly = true;
  }
  return strictly;
}

std::vector<std::size_t> pareto_front(const std::vector<std::vector<double>>& values,
                                      const std::vector<bool>& maximize) {
  // In lexicographic order of the minimised objectives, a dominator always comes before the
  // points it dominates, so each point needs checking only against the front found so far.
  std::vector<std::size_t> order(values.size());
  std::iota(order.begin(), order.end(), 0);
  const auto key = [&](std::size_t i, std::size_t k) {
    return maximize[k] ? -values[i][k] : values[i][k];
  };
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    for (std::size_t k = 0; k < maximize.size(); ++k) {
      if (key(a, k) != key(b, k)) return key(a, k) < key(b, k);
    }
    return false;
  });
  std::vector<std::size_t> front;
  if (maximize.size() == 1 || maximize.size() == 2) {
    // One or two objectives, in one pass: a point is dominated by an earlier one exactly when an
    // earlier x-group reached its y or better, or its own x-group a strictly better y (the
    // group's first, as y ascends within it). O(n log n) instead of n x front size.
    const auto y = [&](std::size_t i) { return maximize.size() == 2 ? key(i, 1) : 0.0; };
    double best_before = std::numeric_limits<double>::infinity();  // over earlier x-groups
    double group_best = best_before;
    for (std::size_t j = 0; j < order.size(); ++j) {
      const std::size_t i = order[j];
      if (j == 0 || key(i, 0) != key(order[j - 1], 0)) {  // a new x-group
        best_before = std::min(best_before, group_best);
        group_best = y(i);
      }
      if (!(best_before <= y(i)) && !(group_best < y(i))) front.push_back(i);
    }
  } else {
    for (const std::size_t i : order) {
      const bool dominated = std::any_of(front.begin(), front.end(), [&](std::size_t f) {
        return dominates(values[f], values[i], maximize);
      });
      if (!dominated) front.push_back(i);
    }
  }
  std::sort(front.begin(), front.end());
  return front;
}

FrontResult pareto_front(const CsvTable& table, const std::vector<Objective>& objectives,
                         const std::string& file) {
  config::Diagnostics problems;
  std::vector<std::size_t> columns;
  for (const auto& objective : objectives) {
    const auto column = table.column(objective.column);
    if (!column) {
      problems.add(config::Location{file}, "",
                   "no column '" + objective.column + "'" +
                       config::did_you_mean(objective.column, table.header) + "; columns are " +
                       config::join_alternatives(table.header));
      continue;
    }
    columns.push_back(*column);
  }
  if (objectives.empty()) {
    problems.add(config::Location{file}, "", "give at least one --minimize or --maximize column");
  }
  problems.throw_if_any();

  FrontResult result;
  result.front.header = table.header;
  const auto status = table.column("status");
  std::vector<std::size_t> missing(objectives.size(), 0);
  std::size_t not_ok = 0;
  std::vector<std::size_t> rows;
  std::vector<std::vector<double>> values;
  for (std::size_t r = 0; r < table.rows.size(); ++r) {
    const auto& row = table.rows[r];
    if (status && row[*status] != "ok") {
      ++not_ok;
      continue;
    }
    std::vector<double> v(objectives.size());
    bool complete = true;
    for (std::size_t k = 0; k < objectives.size(); ++k) {
      if (!parse_number(row[columns[k]], v[k])) {
        ++missing[k];
        complete = false;
      }
    }
    if (!complete) continue;
    rows.push_back(r);
    values.push_back(std::move(v));
  }
  if (not_ok > 0) {
    result.notes.push_back(std::to_string(not_ok) + " of " + std::to_string(table.rows.size()) +
                           " rows are not status ok (failed, timed out or pending) and are left out");
  }
  for (std::size_t k = 0; k < objectives.size(); ++k) {
    if (missing[k] > 0) {
      result.notes.push_back(std::to_string(missing[k]) + " rows have no value for " +
                             objectives[k].column +
                             " (empty: not computed by any model yet, or not a number) and are "
                             "left out of the front");
    }
  }
  result.candidates = rows.size();
  std::vector<bool> maximize;
  for (const auto& objective : objectives) maximize.push_back(objective.maximize);
  for (const std::size_t i : pareto_front(values, maximize)) {
    result.front.rows.push_back(table.rows[rows[i]]);
  }
  return result;
}

}  // namespace qarch::dse
