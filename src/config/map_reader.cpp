#include "config/map_reader.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <map>

#include "config/suggest.hpp"

namespace qarch::config {
namespace {

std::string trim(const std::string& text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string::npos) return {};
  const auto last = text.find_last_not_of(" \t");
  return text.substr(first, last - first + 1);
}

std::optional<std::int64_t> parse_integer(const std::string& raw) {
  std::string text = trim(raw);
  if (!text.empty() && text[0] == '+') text.erase(0, 1);
  std::int64_t value = 0;
  const auto* begin = text.data();
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(begin, end, value);
  if (text.empty() || ec != std::errc{} || ptr != end) return std::nullopt;
  return value;
}

std::optional<double> parse_number(const std::string& raw) {
  const std::string text = trim(raw);
  if (text.empty() || text.find_first_not_of("0123456789+-.eE") != std::string::npos) {
    return std::nullopt;  // rejects nan, inf, hex floats and units such as "1GHz"
  }
  char* end = nullptr;
  errno = 0;
  const double value = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size() || errno == ERANGE || !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

std::optional<bool> parse_boolean(const std::string& raw) {
  std::string text = trim(raw);
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (text == "true" || text == "yes" || text == "on") return true;
  if (text == "false" || text == "no" || text == "off") return false;
  return std::nullopt;
}

// Shortest text that reads back to `value`: 1048576, not 1.04858e+06.
std::string format_number(double value) {
  char buffer[64];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  return ec == std::errc{} ? std::string(buffer, end) : std::string("?");
}

}  // namespace

std::string describe(const Value& value) {
  if (value.is_scalar()) return "'" + excerpt(value.scalar()) + "'";
  return Value::kind_name(value.kind());
}

MapReader::MapReader(Value map, Diagnostics& diagnostics)
    : map_(std::move(map)), diagnostics_(diagnostics) {
  if (!map_.is_map()) {
    usable_ = false;
    diagnostics_.add(map_.location(), map_.path(),
                     "expected a mapping of keys, got " + describe(map_));
  }
}

bool MapReader::has(const std::string& key) const { return usable_ && map_.has(key); }

std::string MapReader::path_of(const std::string& key) const {
  return map_.path().empty() ? key : map_.path() + "." + key;
}

Location MapReader::location_of(const std::string& key) const {
  return has(key) ? map_.get(key).location() : map_.location();
}

void MapReader::error(const std::string& key, const std::string& message) {
  diagnostics_.add(location_of(key), path_of(key), message);
}

std::optional<Value> MapReader::fetch(const std::string& key, bool required) {
  known_.insert(key);
  if (!usable_) return std::nullopt;
  if (!map_.has(key)) {
    if (required) {
      diagnostics_.add(map_.location(), path_of(key), "missing required key '" + key + "'");
    }
    return std::nullopt;
  }
  Value value = map_.get(key);
  if (value.is_null()) {
    diagnostics_.add(map_.key_location(key), path_of(key),
                     "has no value" + std::string(required ? " (it is required)" : ""));
    return std::nullopt;
  }
  return value;
}

std::optional<Value> MapReader::child(const std::string& key, bool required) {
  return fetch(key, required);
}

void MapReader::bad_value(const Value& value, const std::string& expected) {
  diagnostics_.add(value.location(), value.path(), "expected " + expected + ", got " + describe(value));
}

std::int64_t MapReader::integer(const std::string& key, std::int64_t min, std::int64_t max,
                                std::optional<std::int64_t> fallback) {
  const std::int64_t on_error = fallback.value_or(min);
  const auto value = fetch(key, !fallback.has_value());
  if (!value) return on_error;
  const std::string range = "an integer from " + std::to_string(min) + " to " + std::to_string(max);
  const auto parsed = value->is_scalar() ? parse_integer(value->scalar()) : std::nullopt;
  if (!parsed) {
    bad_value(*value, range);
    return on_error;
  }
  if (*parsed < min || *parsed > max) {
    diagnostics_.add(value->location(), value->path(),
                     "out of range: expected " + range + ", got " + std::to_string(*parsed));
    return on_error;
  }
  return *parsed;
}

double MapReader::number(const std::string& key, double min, double max,
                         std::optional<double> fallback, bool min_exclusive) {
  const double on_error = fallback.value_or(min);
  const auto value = fetch(key, !fallback.has_value());
  if (!value) return on_error;
  const std::string range = std::string("a number ") + (min_exclusive ? "greater than " : "from ") +
                            format_number(min) + (min_exclusive ? " and at most " : " to ") +
                            format_number(max);
  const auto parsed = value->is_scalar() ? parse_number(value->scalar()) : std::nullopt;
  if (!parsed) {
    bad_value(*value, range);
    return on_error;
  }
  const bool low = min_exclusive ? *parsed <= min : *parsed < min;
  if (low || *parsed > max) {
    diagnostics_.add(value->location(), value->path(),
                     "out of range: expected " + range + ", got " + value->scalar());
    return on_error;
  }
  return *parsed;
}

std::vector<std::int64_t> MapReader::integers(const std::string& key,
                                              const std::vector<std::size_t>& lengths,
                                              std::int64_t min, std::int64_t max,
                                              std::optional<std::vector<std::int64_t>> fallback) {
  const std::vector<std::int64_t> on_error = fallback.value_or(std::vector<std::int64_t>{min});
  const auto value = fetch(key, !fallback.has_value());
  if (!value) return on_error;
  std::vector<std::string> shapes{"an integer"};
  for (const std::size_t n : lengths) {
    if (n > 1) shapes.push_back("a list of " + std::to_string(n) + " integers");
  }
  const std::string expected =
      join_alternatives(shapes) + " from " + std::to_string(min) + " to " + std::to_string(max);
  std::vector<Value> elements;
  if (value->is_scalar()) {
    elements.push_back(*value);
  } else if (value->is_sequence() &&
             std::find(lengths.begin(), lengths.end(), value->size()) != lengths.end()) {
    for (std::size_t i = 0; i < value->size(); ++i) elements.push_back(value->at(i));
  } else {
    bad_value(*value, expected);
    return on_error;
  }
  std::vector<std::int64_t> result;
  for (const auto& element : elements) {
    const auto parsed = element.is_scalar() ? parse_integer(element.scalar()) : std::nullopt;
    if (!parsed || *parsed < min || *parsed > max) {
      bad_value(element, expected);
      return on_error;
    }
    result.push_back(*parsed);
  }
  return result;
}

bool MapReader::boolean(const std::string& key, std::optional<bool> fallback) {
  const bool on_error = fallback.value_or(false);
  const auto value = fetch(key, !fallback.has_value());
  if (!value) return on_error;
  const auto parsed = value->is_scalar() ? parse_boolean(value->scalar()) : std::nullopt;
  if (!parsed) {
    bad_value(*value, "true or false");
    return on_error;
  }
  return *parsed;
}

std::string MapReader::text(const std::string& key, std::optional<std::string> fallback) {
  const std::string on_error = fallback.value_or(std::string{});
  const auto value = fetch(key, !fallback.has_value());
  if (!value) return on_error;
  if (!value->is_scalar() || trim(value->scalar()).empty()) {
    bad_value(*value, "a non-empty text");
    return on_error;
  }
  return trim(value->scalar());
}

std::string MapReader::choice(const std::string& key, const std::vector<std::string>& allowed,
                              std::optional<std::string> fallback) {
  const std::string on_error = fallback.value_or(std::string{});
  const auto value = fetch(key, !fallback.has_value());
  if (!value) return on_error;
  const std::string word = value->is_scalar() ? trim(value->scalar()) : std::string{};
  if (std::find(allowed.begin(), allowed.end(), word) != allowed.end()) return word;
  diagnostics_.add(value->location(), value->path(),
                   "expected one of " + join_alternatives(allowed) + ", got " + describe(*value) +
                       (word.empty() ? std::string{} : did_you_mean(word, allowed)));
  return on_error;
}

void MapReader::finish() {
  if (!usable_) return;
  std::map<std::string, int> seen;
  const std::vector<std::string> candidates(known_.begin(), known_.end());
  const std::vector<std::string> keys = map_.keys();
  for (std::size_t i = 0; i < keys.size(); ++i) {
    const std::string& key = keys[i];
    if (++seen[key] == 2) {
      diagnostics_.add(map_.key_location_at(i), path_of(key),
                       "duplicate key (first at " + map_.key_location(key).to_string() +
                           "); each key may appear once");
    }
    if (seen[key] == 1 && known_.count(key) == 0) {
      diagnostics_.add(map_.key_location(key), path_of(key),
                       "unknown key" + did_you_mean(key, candidates) + "; known keys here: " +
                           join_alternatives(candidates));
    }
  }
}

}  // namespace qarch::config
