#include "func/gather_plan.hpp"

#include <stdexcept>
#include <utility>

namespace qarch::func {

void GatherPlan::add(std::int64_t dst, std::int64_t src) {
  if (dst < 0 || src < 0 || dst > 0xffffffffLL || src > 0xffffffffLL) {
    throw std::length_error("GatherPlan: index beyond 32 bits");
  }
  if (!runs_.empty()) {
    Run& r = runs_.back();
    if (r.length == 1 && dst == r.dst + 1) {
      r.stride = src - r.src;
      r.length = 2;
      return;
    }
    if (r.length > 1 && dst == r.dst + r.length && src == r.src + r.length * r.stride) {
      ++r.length;
      return;
    }
  }
  runs_.push_back(Run{dst, src, 1, 1});
}

void GatherPlan::split_short_runs() {
  std::vector<Run> long_runs;
  for (const Run& r : runs_) {
    if (r.length >= kShortestRun) {
      long_runs.push_back(r);
      continue;
    }
    for (std::int64_t t = 0; t < r.length; ++t) singles_.push_back(Single{static_cast<std::uint32_t>(r.dst + t), static_cast<std::uint32_t>(r.src + t * r.stride)});
  }
  runs_ = std::move(long_runs);
}

}  // namespace qarch::func
