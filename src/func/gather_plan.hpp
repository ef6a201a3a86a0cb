#pragma once
// An im2col gather (GemmLayout::gather) as runs of evenly spaced source elements: a
// convolution's operands come in runs along the output row (stride 1: a copy; stride 2: every
// other element; padding: a fill from the zero slot), so copying runs costs a fraction of
// reading one index per operand.

#include <cstdint>
#include <cstring>
#include <vector>

namespace qarch::func {

class GatherPlan {
 public:
  // Element i < count goes from source index src(i) to destination index dst(i); both are
  // int64 and non-negative.
  template <typename Dst, typename Src>
  GatherPlan(std::int64_t count, Dst dst, Src src) {
    for (std::int64_t i = 0; i < count; ++i) add(dst(i), src(i));
  }
  GatherPlan() = default;

  // dst[dst(i)] = src[src(i)] for every element.
  template <typename T>
  void apply(const T* src, T* dst) const {
    for (const Run& r : runs_) {
      T* out = dst + r.dst;
      const T* in = src + r.src;
      if (r.stride == 1) {
        std::memcpy(out, in, static_cast<std::size_t>(r.length) * sizeof(T));
      } else {
        for (std::int64_t t = 0; t < r.length; ++t) out[t] = in[t * r.stride];
      }
    }
  }

  std::size_t runs() const { return runs_.size(); }

 private:
  struct Run {
    std::int64_t dst = 0, src = 0, length = 0, stride = 0;
  };
  void add(std::int64_t dst, std::int64_t src);

  std::vector<Run> runs_;
};

}  // namespace qarch::func
