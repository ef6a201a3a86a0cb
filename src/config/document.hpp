#pragma once
// A YAML input file (architecture or workload) plus the command-line overrides applied to it.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "config/value.hpp"

namespace qarch::config {

// One `--set KEY=VALUE`: KEY is a dotted path (numeric segments index lists), VALUE is parsed
// as YAML, so `--set pe_array.rows=32` and `--set memory.ideal=true` mean what they say.
struct Override {
  std::string path;
  std::string value;
  std::string text;  // as the user typed it, for messages: "--set pe_array.rows=abc"

  // Throws InputError when `text` is not KEY=VALUE with a non-empty dotted KEY.
  static Override parse(std::string_view text);
};

// Whether a segment of an override's path indexes a list ("3") rather than names a key.
bool is_index(const std::string& segment);

class Document {
 public:
  // Reads and parses `path`. Throws InputError naming the file (missing, unreadable, not a
  // mapping at the top level) or the line and column of a YAML syntax error.
  static Document load(const std::string& path);
  // Parses text held in memory; `name` stands for the file name in messages.
  static Document parse(const std::string& text, const std::string& name);

  // Applies overrides in order; a path that runs through a scalar is an error. Values keep the
  // override as their location, so validation errors point at the `--set` that caused them.
  void apply(const std::vector<Override>& overrides);

  Value root() const;
  const std::string& file() const;

 private:
  explicit Document(std::shared_ptr<DocumentData> data);
  std::shared_ptr<DocumentData> data_;
};

}  // namespace qarch::config
