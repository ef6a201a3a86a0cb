#pragma once
// Buffer traffic of a fold (or a layer), in elements, as every dataflow counts it. SCALE-Sim's
// names in the comments for the systolic dataflows.

#include <cstdint>

namespace qarch::mapping {

struct FoldAccesses {
  std::int64_t input_reads = 0;     // SCALE-Sim "ifmap reads"
  std::int64_t weight_reads = 0;    // SCALE-Sim "filter reads"
  std::int64_t output_writes = 0;   // SCALE-Sim "ofmap writes" (partial or final sums)
  std::int64_t psum_reads = 0;      // earlier partial sums read back to accumulate
  std::int64_t macs = 0;

  FoldAccesses& operator+=(const FoldAccesses& a) {
    input_reads += a.input_reads;
    weight_reads += a.weight_reads;
    output_writes += a.output_writes;
    psum_reads += a.psum_reads;
    macs += a.macs;
    return *this;
  }
  // Every count times `n` (a group's traffic over all groups).
  FoldAccesses times(std::int64_t n) const {
    return {input_reads * n, weight_reads * n, output_writes * n, psum_reads * n, macs * n};
  }
  bool operator==(const FoldAccesses& a) const {
    return input_reads == a.input_reads && weight_reads == a.weight_reads &&
           output_writes == a.output_writes && psum_reads == a.psum_reads && macs == a.macs;
  }
};

}  // namespace qarch::mapping
