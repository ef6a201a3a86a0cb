#pragma once
// The shared global buffer (buffers.global) split between the tensors it serves, per layer.
// The mapper tries every split in eighths of the capacity (each served tensor at least one
// eighth), plans the layer with each as if the tensors had buffers of those sizes, and keeps
// the best by the mapper's objective; ties go to fewer DRAM bytes, then to the first split.

#include <array>
#include <cstdint>
#include <vector>

#include "arch/arch_spec.hpp"

namespace qarch::mapping {

inline constexpr int kSplitParts = 8;

// A split: eighths of the global buffer per Tensor (0 for tensors it does not serve).
using BufferSplit = std::array<int, 3>;

// Every split of the architecture's served tensors, in a fixed order.
std::vector<BufferSplit> buffer_splits(const arch::ArchSpec& arch);

// The architecture a layer is tiled against under `split`: each served tensor's buffer is the
// global buffer's spec with its share of the capacity.
arch::ArchSpec tiling_view(const arch::ArchSpec& arch, const BufferSplit& split);

}  // namespace qarch::mapping
