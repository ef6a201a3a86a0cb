#pragma once
// Typed, validated reading of one YAML mapping. Every getter records a Diagnostic (file, line,
// column, key path, the bad value, what was expected) instead of throwing, so one pass reports
// every problem; finish() reports keys nobody asked for, with a "did you mean" suggestion.

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "config/diagnostic.hpp"
#include "config/value.hpp"

namespace qarch::config {

class MapReader {
 public:
  // `map` must be a mapping; otherwise one diagnostic is recorded and every getter falls back.
  MapReader(Value map, Diagnostics& diagnostics);

  // Required when `fallback` is empty. On a bad or missing value a diagnostic is recorded and the
  // fallback (or the range's lower end) is returned, so callers can keep validating.
  std::int64_t integer(const std::string& key, std::int64_t min, std::int64_t max,
                       std::optional<std::int64_t> fallback = std::nullopt);
  // `min_exclusive`: the value must be strictly greater than `min`.
  double number(const std::string& key, double min, double max,
                std::optional<double> fallback = std::nullopt, bool min_exclusive = false);
  bool boolean(const std::string& key, std::optional<bool> fallback = std::nullopt);
  // An integer or a list of integers whose length is one of `lengths` (e.g. kernel: 3 or
  // [3, 3]); each element within [min, max]. Returns the list as written (a scalar gives one
  // element); on error the fallback, or {min}.
  std::vector<std::int64_t> integers(const std::string& key, const std::vector<std::size_t>& lengths,
                                     std::int64_t min, std::int64_t max,
                                     std::optional<std::vector<std::int64_t>> fallback = std::nullopt);
  std::string text(const std::string& key, std::optional<std::string> fallback = std::nullopt);
  // One of `allowed`; anything else gets "expected one of ..." and a suggestion.
  std::string choice(const std::string& key, const std::vector<std::string>& allowed,
                     std::optional<std::string> fallback = std::nullopt);

  // The raw value of `key` for nested structures; records "missing required key" when
  // `required` and absent. Marks the key as known.
  std::optional<Value> child(const std::string& key, bool required);

  bool has(const std::string& key) const;
  const Value& value() const { return map_; }
  Location location_of(const std::string& key) const;  // the value's location, or the map's
  std::string path_of(const std::string& key) const;   // "pe_array.rows"
  Diagnostics& diagnostics() { return diagnostics_; }

  // Records an error against `key` (for cross-field checks done by the caller).
  void error(const std::string& key, const std::string& message);

  // Unknown and duplicate keys. Call once, after all getters.
  void finish();

 private:
  std::optional<Value> fetch(const std::string& key, bool required);
  void bad_value(const Value& value, const std::string& expected);

  Value map_;
  Diagnostics& diagnostics_;
  bool usable_ = true;
  std::set<std::string> known_;
};

// Quotes a scalar for messages: 'abc', or "a list"/"a mapping" for non-scalars.
std::string describe(const Value& value);

}  // namespace qarch::config
