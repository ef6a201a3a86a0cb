#pragma once
// "Did you mean" suggestions for misspelled keys and names.

#include <string>
#include <string_view>
#include <vector>

namespace qarch::config {

// Levenshtein distance (insertions, deletions, substitutions; case-sensitive).
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `word`, if it is close enough to be a plausible typo (distance at
// most max(1, |word| / 3), or `word` is a prefix/suffix of it); empty otherwise.
std::string closest_match(std::string_view word, const std::vector<std::string>& candidates);

// " (did you mean 'x'?)" or "" -- ready to append to a message.
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

// "a, b or c" for messages that list what is accepted.
std::string join_alternatives(const std::vector<std::string>& words);

}  // namespace qarch::config
