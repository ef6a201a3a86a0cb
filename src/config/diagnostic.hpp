#pragma once
// Problems found in user input, with where they are. The library collects every problem it can
// find and throws one InputError carrying all of them; only the CLI prints them and picks the exit
// code (STYLE.md: parse -> validate -> resolve, no exit() in the library).

#include <stdexcept>
#include <string>
#include <vector>

namespace qarch::config {

// Where a value came from: a file position (1-based line and column; 0 when unknown) or a
// command-line override such as "--set pe_array.rows=abc" (then `file` holds that text).
// `text` whole when it has at most `max` bytes, else its first max - 20 bytes, "...", and how
// long it was: an input echoed in a message stays readable (a 10 MB value is not repeated).
std::string excerpt(const std::string& text, std::size_t max = 120);

struct Location {
  std::string file;
  int line = 0;
  int column = 0;

  std::string to_string() const;  // "file:line:column", "file:line", or "file"
};

struct Diagnostic {
  Location where;
  std::string key_path;  // dotted path such as "pe_array.rows"; may be empty
  std::string message;   // what is wrong and what was expected

  // "configs/a.yaml:5:9: pe_array.rows: expected ..." (no "error:" prefix; the CLI adds it).
  std::string to_string() const;
};

// Every problem found in one input (a config, a workload, a command line).
class InputError : public std::runtime_error {
 public:
  explicit InputError(std::vector<Diagnostic> diagnostics);
  explicit InputError(Diagnostic diagnostic);
  const std::vector<Diagnostic>& diagnostics() const { return diagnostics_; }

 private:
  std::vector<Diagnostic> diagnostics_;
};

// Collects diagnostics while a validator walks an input; throw_if_any() ends the walk.
class Diagnostics {
 public:
  void add(Diagnostic diagnostic) { items_.push_back(std::move(diagnostic)); }
  void add(Location where, std::string key_path, std::string message);
  void append(const Diagnostics& other);
  bool empty() const { return items_.empty(); }
  std::size_t size() const { return items_.size(); }
  const std::vector<Diagnostic>& items() const { return items_; }
  void throw_if_any() const;

 private:
  std::vector<Diagnostic> items_;
};

}  // namespace qarch::config
