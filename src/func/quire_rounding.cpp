#include "func/quire_rounding.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "func/rounding_thresholds.hpp"
#include "numerics/codec.hpp"
#include "numerics/quire.hpp"

namespace qarch::func {

std::optional<QuireRounding> QuireRounding::build(const numerics::Accumulator& accumulator) {
  const numerics::Format& q = accumulator.format();
  if (q.kind() != numerics::FormatKind::Quire) return std::nullopt;
  const numerics::Format result = accumulator.result_format();
  if (result.bits() > 8) return std::nullopt;
  const int fraction = numerics::Quire(q.posit_bits(), q.posit_es()).fraction_bits();
  numerics::Accumulator acc = accumulator;
  const auto round = [&](std::int64_t units) {
    acc.reset();
    acc.add(std::ldexp(static_cast<double>(units), -fraction));  // exact: |units| < 2^53
    return acc.code();
  };
  // The finite results by value, each a whole number of lsbs.
  std::vector<std::pair<std::int64_t, std::uint32_t>> codes;
  for (std::uint64_t c = 0; c < result.code_count(); ++c) {
    const double v = numerics::decode(result, static_cast<std::uint32_t>(c));
    if (!std::isfinite(v)) continue;
    const double u = std::ldexp(v, fraction);
    if (u != std::trunc(u) || std::fabs(u) > static_cast<double>(limit())) return std::nullopt;
    codes.emplace_back(static_cast<std::int64_t>(u), static_cast<std::uint32_t>(c));
  }
  std::sort(codes.begin(), codes.end());
  if (codes.empty() || round(-limit()) != codes.front().second || round(limit()) != codes.back().second) {
    return std::nullopt;
  }
  QuireRounding r;
  for (std::size_t i = 0; i < codes.size(); ++i) {
    r.values_.push_back(numerics::decode(result, codes[i].second));
    if (round(codes[i].first) != codes[i].second) return std::nullopt;  // a value is its own result
    if (i == 0) continue;
    // The least sum in (previous value, this value] whose result is this code.
    std::int64_t lo = codes[i - 1].first, hi = codes[i].first;
    while (hi - lo > 1) {
      const std::int64_t mid = lo + (hi - lo) / 2;
      const std::uint32_t c = round(mid);
      if (c == codes[i].second) {
        hi = mid;
      } else if (c == codes[i - 1].second) {
        lo = mid;
      } else {
        return std::nullopt;  // not monotonic
      }
    }
    r.thresholds_.push_back(hi);
  }
  // The slots: each sum range's first index, and the one threshold inside it if any.
  r.small_.resize(2 * kSmall);
  for (std::uint64_t m = 0; m < kSmall; ++m) {
    r.small_[m] = static_cast<std::uint32_t>(count_at_most(r.thresholds_, static_cast<std::int64_t>(m)));
    r.small_[kSmall + m] = static_cast<std::uint32_t>(count_at_most(r.thresholds_, -static_cast<std::int64_t>(m)));
  }
  r.slots_.assign(std::size_t{2 * 64} << kSlotBits, Slot{std::numeric_limits<std::int64_t>::max(), 0});
  for (int length = kSlotBits + 2; length <= 53; ++length) {
    const int shift = length - 1 - kSlotBits;
    for (std::uint64_t top = 0; top < (std::uint64_t{1} << kSlotBits); ++top) {
      const auto lo = static_cast<std::int64_t>(((std::uint64_t{1} << kSlotBits) | top) << shift);
      const std::int64_t hi = lo + (std::int64_t{1} << shift) - 1;
      for (const bool negative : {false, true}) {
        const std::int64_t first = negative ? -hi : lo, last = negative ? -lo : hi;
        const std::size_t base = count_at_most(r.thresholds_, first), end = count_at_most(r.thresholds_, last);
        if (end > base + 1) return std::nullopt;  // two thresholds in one slot
        Slot& s = r.slots_[slot_of(negative, static_cast<std::uint64_t>(lo))];
        s.base = static_cast<std::uint32_t>(base);
        if (end > base) s.threshold = r.thresholds_[base];
      }
    }
  }
  return r;
}


}  // namespace qarch::func
