#include "dse/constraint.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "config/diagnostic.hpp"
#include "config/suggest.hpp"

namespace qarch::dse {

// An expression tree: a number, a column, or an operator on two operands (unary minus is 0 - x).
struct Constraint::Node {
  char op = 0;  // 0: leaf; '+', '-', '*', '/'
  double number = 0;
  std::string column;  // a leaf reading this column when not empty
  std::shared_ptr<const Node> left, right;
};

namespace {

using Node = Constraint::Node;
using NodePtr = std::shared_ptr<const Node>;

[[noreturn]] void fail(const std::string& text, std::size_t at, const std::string& what) {
  throw config::InputError(config::Diagnostic{
      config::Location{"--constraint"}, "",
      "'" + text + "' at character " + std::to_string(at + 1) + ": " + what +
          " (a constraint compares two expressions of numbers and columns, e.g. top1>=reference_top1-0.01)"});
}

// Recursive descent: comparison := sum OP sum; sum := product (('+'|'-') product)*;
// product := factor (('*'|'/') factor)*; factor := number | column | '(' sum ')' | '-' factor.
class Parser {
 public:
  explicit Parser(const std::string& text) : s_(text) {}

  NodePtr sum() {
    NodePtr left = product();
    for (skip(); at('+') || at('-'); skip()) {
      const char op = s_[i_++];
      left = binary(op, left, product());
    }
    return left;
  }

  std::string comparison() {
    skip();
    for (const char* op : {">=", "<=", "==", "!=", ">", "<"}) {
      const std::string o = op;
      if (s_.compare(i_, o.size(), o) == 0) {
        i_ += o.size();
        return o;
      }
    }
    fail(s_, i_, i_ < s_.size() ? "expected a comparison (>=, <=, >, <, ==, !=)" : "no comparison");
  }

  void end() {
    skip();
    if (i_ < s_.size()) fail(s_, i_, "unexpected '" + s_.substr(i_, 1) + "'");
  }

  std::vector<std::string> columns;

 private:
  NodePtr product() {
    NodePtr left = factor();
    for (skip(); at('*') || at('/'); skip()) {
      const char op = s_[i_++];
      left = binary(op, left, factor());
    }
    return left;
  }

  NodePtr factor() {
    skip();
    if (i_ >= s_.size()) fail(s_, i_, "expected a number or a column at the end");
    auto node = std::make_shared<Node>();
    const char c = s_[i_];
    if (c == '-') {
      ++i_;
      return binary('-', std::make_shared<Node>(), factor());
    }
    if (c == '(') {
      ++i_;
      NodePtr inner = sum();
      skip();
      if (!at(')')) fail(s_, i_, "expected ')'");
      ++i_;
      return inner;
    }
    if (std::isdigit(static_cast<unsigned char>(c)) || c == '.') {
      const char* begin = s_.c_str() + i_;
      char* end = nullptr;
      node->number = std::strtod(begin, &end);
      if (end == begin) fail(s_, i_, "not a number");
      i_ += static_cast<std::size_t>(end - begin);
      return node;
    }
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      const std::size_t start = i_;
      while (i_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[i_])) || s_[i_] == '_' || s_[i_] == '.')) ++i_;
      node->column = s_.substr(start, i_ - start);
      if (std::find(columns.begin(), columns.end(), node->column) == columns.end()) columns.push_back(node->column);
      return node;
    }
    fail(s_, i_, "expected a number or a column, got '" + std::string(1, c) + "'");
  }

  static NodePtr binary(char op, NodePtr left, NodePtr right) {
    auto node = std::make_shared<Node>();
    node->op = op;
    node->left = std::move(left);
    node->right = std::move(right);
    return node;
  }

  bool at(char c) const { return i_ < s_.size() && s_[i_] == c; }
  void skip() {
    while (i_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[i_]))) ++i_;
  }

  const std::string& s_;
  std::size_t i_ = 0;
};

std::optional<double> evaluate(const Node& n, const CsvTable& table, const std::vector<std::string>& row) {
  if (n.op == 0) {
    if (n.column.empty()) return n.number;
    double v = 0;
    if (!parse_number(row[*table.column(n.column)], v)) return std::nullopt;
    return v;
  }
  const std::optional<double> a = evaluate(*n.left, table, row), b = evaluate(*n.right, table, row);
  if (!a || !b) return std::nullopt;
  switch (n.op) {
    case '+': return *a + *b;
    case '-': return *a - *b;
    case '*': return *a * *b;
    default: return *a / *b;
  }
}

}  // namespace

Constraint Constraint::parse(const std::string& text) {
  Parser p(text);
  Constraint c;
  c.text_ = text;
  c.lhs_ = p.sum();
  c.comparison_ = p.comparison();
  c.rhs_ = p.sum();
  p.end();
  c.columns_ = p.columns;
  return c;
}

std::optional<bool> Constraint::holds(const CsvTable& table, const std::vector<std::string>& row) const {
  const std::optional<double> a = evaluate(*lhs_, table, row), b = evaluate(*rhs_, table, row);
  if (!a || !b) return std::nullopt;
  if (comparison_ == ">=") return *a >= *b;
  if (comparison_ == "<=") return *a <= *b;
  if (comparison_ == ">") return *a > *b;
  if (comparison_ == "<") return *a < *b;
  if (comparison_ == "==") return *a == *b;
  return *a != *b;
}

Filtered apply_constraints(const CsvTable& table, const std::vector<Constraint>& constraints, const std::string& file) {
  config::Diagnostics problems;
  for (const Constraint& c : constraints) {
    for (const std::string& column : c.columns()) {
      if (!table.column(column)) {
        problems.add(config::Location{file}, "",
                     "--constraint '" + c.text() + "' reads no column '" + column + "'" +
                         config::did_you_mean(column, table.header) + "; columns are " +
                         config::join_alternatives(table.header));
      }
    }
  }
  problems.throw_if_any();
  Filtered out;
  out.table.header = table.header;
  std::vector<std::size_t> failed(constraints.size(), 0), unknown(constraints.size(), 0);
  for (const auto& row : table.rows) {
    bool keep = true;
    for (std::size_t k = 0; k < constraints.size() && keep; ++k) {
      const std::optional<bool> h = constraints[k].holds(table, row);
      if (!h) ++unknown[k];
      else if (!*h) ++failed[k];
      keep = h.value_or(false);
    }
    if (keep) out.table.rows.push_back(row);
  }
  for (std::size_t k = 0; k < constraints.size(); ++k) {
    if (failed[k] > 0) {
      out.notes.push_back(std::to_string(failed[k]) + " rows do not satisfy " + constraints[k].text() + " and are left out");
    }
    if (unknown[k] > 0) {
      out.notes.push_back(std::to_string(unknown[k]) + " rows lack a value " + constraints[k].text() +
                          " reads (empty or not a number) and are left out");
    }
  }
  return out;
}

}  // namespace qarch::dse
