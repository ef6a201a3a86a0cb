#pragma once
// An embedding layer in functional mode: a lookup of one table row per token id. The table is
// a weight, so the accelerator stores it in the layer's weight format: each value rounded into
// it at one per-tensor scale (ptq.hpp's rule), or as blocks along each row for a block-scaled
// format (NVFP4's tensor scale from the whole table). The rows are copied, not computed: the
// gathered values are exact values of that format.

#include <cstdint>
#include <vector>

#include "arch/arch_spec.hpp"
#include "func/parameters.hpp"
#include "workload/layer.hpp"

namespace qarch::func {

class EmbeddingTable {
 public:
  // `params.weights`: the (vocab, dim) float table. Throws numerics::FormatError for a format
  // the table cannot be stored in.
  EmbeddingTable(const arch::ArchSpec& arch, const workload::Layer& layer, const LayerParameters& params);

  // out (dim x tokens, channel-major) = the rows of ids[0 .. tokens). Ids are whole numbers in
  // [0, vocab) (run_functional checks its inputs).
  void gather(const double* ids, double* out, std::int64_t tokens) const;

  std::int64_t saturated() const { return saturated_; }
  double scale() const { return scale_; }

 private:
  std::int64_t dim_ = 0;
  std::vector<double> values_;  // vocab x dim, decoded values times the scale
  std::int64_t saturated_ = 0;
  double scale_ = 1;
};

}  // namespace qarch::func
