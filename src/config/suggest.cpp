#include "config/suggest.hpp"

#include <algorithm>
#include <numeric>

namespace qarch::config {

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  std::iota(row.begin(), row.end(), std::size_t{0});
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      const std::size_t substitute = diagonal + (a[i - 1] == b[j - 1] ? 0 : 1);
      row[j] = std::min({above + 1, row[j - 1] + 1, substitute});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string closest_match(std::string_view word, const std::vector<std::string>& candidates) {
  std::string best;
  std::size_t best_distance = static_cast<std::size_t>(-1);
  for (const auto& candidate : candidates) {
    const std::size_t d = edit_distance(word, candidate);
    if (d < best_distance) {
      best_distance = d;
      best = candidate;
    }
  }
  if (!best.empty() && best_distance <= std::max<std::size_t>(1, word.size() / 3)) return best;
  // A truncated word ("weight" for "weight_format"): the shortest candidate it starts or ends.
  std::string affix;
  for (const auto& candidate : candidates) {
    const bool prefix = candidate.rfind(word, 0) == 0;
    const bool suffix = candidate.size() >= word.size() &&
                        candidate.compare(candidate.size() - word.size(), word.size(), word) == 0;
    if (word.size() >= 3 && (prefix || suffix) && (affix.empty() || candidate.size() < affix.size())) {
      affix = candidate;
    }
  }
  return affix;
}

std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates) {
  const std::string match = closest_match(word, candidates);
  return match.empty() ? std::string{} : " (did you mean '" + match + "'?)";
}

std::string join_alternatives(const std::vector<std::string>& words) {
  std::string text;
  for (std::size_t i = 0; i < words.size(); ++i) {
    if (i > 0) text += (i + 1 == words.size()) ? " or " : ", ";
    text += words[i];
  }
  return text;
}

}  // namespace qarch::config
