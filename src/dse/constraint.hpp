#pragma once
// Conditions on the rows of a results table, for choosing design points under an accuracy floor
// or a budget: `top1>=reference_top1-0.01`, `energy_pj<2e9`, `area_um2*1e-6<=4`. One comparison
// (>=, <=, >, <, ==, !=) of two arithmetic expressions over numbers and column names (+ - * /,
// parentheses, unary minus); a column's value is the row's field read as a number.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dse/csv.hpp"

namespace qarch::dse {

class Constraint {
 public:
  // Throws config::InputError saying what is wrong at which character of `text`.
  static Constraint parse(const std::string& text);

  const std::string& text() const { return text_; }
  const std::vector<std::string>& columns() const { return columns_; }  // those it reads

  // Whether `row` (of a table whose header holds every column()) satisfies it; empty when a
  // value it reads is empty or not a number.
  std::optional<bool> holds(const CsvTable& table, const std::vector<std::string>& row) const;

  struct Node;

 private:
  std::string text_;
  std::vector<std::string> columns_;
  std::shared_ptr<const Node> lhs_, rhs_;
  std::string comparison_;
};

struct Filtered {
  CsvTable table;                  // the rows that satisfy every constraint, in order
  std::vector<std::string> notes;  // how many rows each constraint left out, and why
};

// Throws config::InputError naming `file` when a constraint reads a column the table lacks.
Filtered apply_constraints(const CsvTable& table, const std::vector<Constraint>& constraints, const std::string& file);

}  // namespace qarch::dse
