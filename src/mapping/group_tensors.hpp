#pragma once
// The elements of one group's operands, as the dataflows tile them into buffers and DRAM.

#include <cstdint>

#include "workload/layer.hpp"

namespace qarch::mapping {

struct GroupTensors {
  std::int64_t weights = 0, inputs = 0, outputs = 0;
};

inline GroupTensors group_tensors(const workload::Layer& layer) {
  const workload::Gemm& g = layer.gemm;
  GroupTensors t;
  // Activation-by-activation matmul: the second operand plays the weights' part.
  t.weights = layer.has_weights() ? layer.weight_elements() / g.groups : g.k * g.n;
  // A conv reads its ifmap, not the larger im2col matrix.
  t.inputs = layer.type == workload::LayerType::Conv2d ? layer.batch * layer.input.elements() / g.groups
                                                       : g.m * g.k;
  t.outputs = g.m * g.n;
  return t;
}

}  // namespace qarch::mapping
