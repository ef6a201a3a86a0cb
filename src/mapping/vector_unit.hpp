#pragma once
// The vector unit beside the array (`cols` lanes): layers without multiply-accumulates —
// pooling, activations, element-wise adds, reshapes. A Dataflow (dataflow.hpp) like the array's.

#include <cstdint>

#include "mapping/dataflow.hpp"

namespace qarch::mapping {

struct VectorPlan : DataflowPlan {
  int lanes = 0;                    // elements the vector unit reads per cycle (= cols)
  std::int64_t ops = 0;             // elements read: window reads for pooling, both operands for add
  std::int64_t chunk_elements = 0;  // input elements per fold: what half the input buffer holds
  std::int64_t input_elements = 0;  // all operands, whole batch
  std::int64_t output_elements = 0;
};

// The Dataflow itself is vector_unit() (dataflow.hpp).

}  // namespace qarch::mapping
