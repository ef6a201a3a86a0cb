#include "func/gather_plan.hpp"

namespace qarch::func {

void GatherPlan::add(std::int64_t dst, std::int64_t src) {
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

}  // namespace qarch::func
