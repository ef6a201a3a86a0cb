#pragma once
// An im2col gather (GemmLayout::gather) as runs of evenly spaced source elements: a
// convolution's operands come in runs along the output row (stride 1: a copy; stride 2: every
// other element; padding: a fill from the zero slot), so copying runs costs a fraction of
// reading one index per operand.

#include <cstdint>
#include <vector>

namespace qarch::func {

class GatherPlan {
 public:
  // Element i < count goes from source index src(i) to destination index dst(i); both are
  // int64 in [0, 2^32) (std::length_error otherwise).
  template <typename Dst, typename Src>
  GatherPlan(std::int64_t count, Dst dst, Src src) {
    for (std::int64_t i = 0; i < count; ++i) add(dst(i), src(i));
    split_short_runs();
  }
  GatherPlan() = default;

  // dst[dst(i)] = src[src(i)] for every element.
  template <typename T>
  void apply(const T* src, T* dst) const {
    for (const Run& r : runs_) {
      T* out = dst + r.dst;
      const T* in = src + r.src;
      if (r.stride == 1) {
        for (std::int64_t t = 0; t < r.length; ++t) out[t] = in[t];  // vectorized, no call
      } else {
        for (std::int64_t t = 0; t < r.length; ++t) out[t] = in[t * r.stride];
      }
    }
    for (const Single& e : singles_) dst[e.dst] = src[e.src];
  }

  std::size_t runs() const { return runs_.size(); }
  std::size_t singles() const { return singles_.size(); }

 private:
  struct Run {
    std::int64_t dst = 0, src = 0, length = 0, stride = 0;
  };
  struct Single {  // 32 bits: single elements are most of a short-run gather's memory
    std::uint32_t dst = 0, src = 0;
  };
  // Runs this short cost more as runs than as single elements.
  static constexpr std::int64_t kShortestRun = 6;

  void add(std::int64_t dst, std::int64_t src);
  void split_short_runs();

  std::vector<Run> runs_;
  std::vector<Single> singles_;
};

}  // namespace qarch::func
