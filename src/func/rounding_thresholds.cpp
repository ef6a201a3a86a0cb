#include "func/rounding_thresholds.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <mutex>
#include <string>
#include <utility>

#include "numerics/codec.hpp"

namespace qarch::func {

namespace {

// Doubles in order as unsigned integers (-0 just below +0), and back.
std::uint64_t key(double x) {
  std::uint64_t u = 0;
  std::memcpy(&u, &x, sizeof u);
  return (u >> 63) != 0 ? ~u : u | std::uint64_t{1} << 63;
}

double from_key(std::uint64_t k) {
  const std::uint64_t u = (k >> 63) != 0 ? k & ~(std::uint64_t{1} << 63) : ~k;
  double x = 0;
  std::memcpy(&x, &u, sizeof x);
  return x;
}

}  // namespace

std::shared_ptr<const RoundingThresholds> RoundingThresholds::build(const numerics::Format& format) {
  if (format.bits() > 8) return nullptr;
  std::vector<std::pair<double, std::uint32_t>> by_value;
  for (std::uint64_t c = 0; c < format.code_count(); ++c) {
    const double v = numerics::decode(format, static_cast<std::uint32_t>(c));
    if (std::isfinite(v)) by_value.emplace_back(v, static_cast<std::uint32_t>(c));
  }
  if (by_value.empty()) return nullptr;
  std::sort(by_value.begin(), by_value.end());
  bool ok = true;
  const auto encode = [&](double x) {
    const numerics::Encoded e = numerics::encode(format, x, numerics::Rounding::NearestEven, numerics::Overflow::Saturate);
    ok = ok && !e.overflow;
    return e.code;
  };
  auto r = std::make_shared<RoundingThresholds>();
  for (std::size_t i = 0; i < by_value.size() && ok; ++i) {
    ok = encode(by_value[i].first) == by_value[i].second;  // every value is its own code
    r->codes_.push_back(by_value[i].second);
    if (i == 0) continue;
    // The least double in (previous value, this value] whose code is this one.
    std::uint64_t lo = key(by_value[i - 1].first), hi = key(by_value[i].first);
    while (hi - lo > 1 && ok) {
      const std::uint64_t mid = lo + (hi - lo) / 2;
      const std::uint32_t c = encode(from_key(mid));
      if (c == by_value[i].second) {
        hi = mid;
      } else if (c == by_value[i - 1].second) {
        lo = mid;
      } else {
        ok = false;  // not monotonic
      }
    }
    r->least_.push_back(from_key(hi));
  }
  if (!ok) return nullptr;
  r->lowest_ = by_value.front().first;
  r->highest_ = by_value.back().first;
  r->zero_ = count_at_most(r->least_, 0.0);
  // Slots over the binades from the smallest nonzero magnitude to the largest.
  double smallest = std::numeric_limits<double>::infinity();
  for (const auto& [v, c] : by_value) {
    if (v != 0) smallest = std::fmin(smallest, std::fabs(v));
  }
  const double largest = std::fmax(std::fabs(r->lowest_), std::fabs(r->highest_));
  if (!std::isfinite(smallest)) return r;  // only zero: every value searches
  int e_small = 0, e_large = 0;
  std::frexp(smallest, &e_small);  // smallest in [2^(e-1), 2^e)
  std::frexp(largest, &e_large);
  r->first_binade_ = e_small - 1 + 1023;  // biased exponent of [2^(e-1), 2^e)
  r->binades_ = e_large - e_small + 1;
  const auto per_binade = std::size_t{1} << kSlotBits;
  r->slots_.assign(2 * static_cast<std::size_t>(r->binades_) * per_binade, Slot{0.0, 0});
  for (std::int64_t b = 0; b < r->binades_; ++b) {
    const int e = static_cast<int>(r->first_binade_ + b) - 1023;
    for (std::size_t top = 0; top < per_binade; ++top) {
      const double lo = std::ldexp(1.0 + static_cast<double>(top) / static_cast<double>(per_binade), e);
      const double hi = std::nextafter(std::ldexp(1.0 + static_cast<double>(top + 1) / static_cast<double>(per_binade), e), 0.0);
      for (const int negative : {0, 1}) {
        const double first = negative ? -hi : lo, last = negative ? -lo : hi;
        const std::size_t base = count_at_most(r->least_, first), end = count_at_most(r->least_, last);
        if (end > base + 1) return nullptr;  // two thresholds in one slot
        Slot& s = r->slots_[((static_cast<std::size_t>(negative) * static_cast<std::size_t>(r->binades_) +
                              static_cast<std::size_t>(b)) << kSlotBits) | top];
        s.base = static_cast<std::uint32_t>(base);
        s.threshold = end > base ? r->least_[base] : std::numeric_limits<double>::infinity();
      }
    }
  }
  return r;
}


std::shared_ptr<const RoundingThresholds> RoundingThresholds::of(const numerics::Format& format) {
  static std::mutex mutex;
  static std::map<std::string, std::shared_ptr<const RoundingThresholds>> built;
  const std::lock_guard<std::mutex> lock(mutex);
  const std::string name = format.to_string();
  const auto found = built.find(name);
  if (found != built.end()) return found->second;
  std::shared_ptr<const RoundingThresholds> made = build(format);
  built.emplace(name, made);
  return made;
}

}  // namespace qarch::func
