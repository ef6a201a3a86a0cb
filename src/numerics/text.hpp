#pragma once
// Small text helpers shared by the numerics parsers (format and style names).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace qarch::numerics {

// Consumes a decimal number without sign or leading zeros from the front of `text`.
// Returns nothing (and leaves `text` unchanged) if there is none or it exceeds 1'000'000.
std::optional<int> take_number(std::string_view& text);

// Consumes `prefix` from the front of `text` if it is there.
bool take_prefix(std::string_view& text, std::string_view prefix);

// " (did you mean 'x'?)" for the candidate nearest to `word` by edit distance, or "" if none is
// plausibly a typo of it.
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace qarch::numerics
