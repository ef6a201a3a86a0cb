#pragma once
// The shared global buffer (buffers.global) split between the tensors it serves, per layer.
// The mapper plans the layer under each candidate split, as if each served tensor had a buffer
// of its share, and keeps the best by its objective (mapping.cpp). Candidates: every split in
// eighths of the capacity (each served tensor at least one eighth), and, from the best of those,
// every split that gives each tensor exactly its reuse set (what keeps it resident), exactly its
// fold's tile (what keeps a fold's working set on chip), or an equal part of what the others
// leave.

#include <array>
#include <cstdint>
#include <vector>

#include "arch/arch_spec.hpp"

namespace qarch::mapping {

inline constexpr int kSplitParts = 8;

// Bytes of the global buffer per Tensor (0 for tensors it does not serve).
using BufferSplit = std::array<std::int64_t, 3>;

// The splits in eighths, in a fixed order; empty without a global buffer.
std::vector<BufferSplit> buffer_splits(const arch::ArchSpec& arch);

// Those splits, given each tensor's reuse set and tile in bytes (by Tensor), where they fit and
// leave room for the rest; in a fixed order, without repeats.
std::vector<BufferSplit> residency_splits(const arch::ArchSpec& arch, const std::array<std::int64_t, 3>& reuse_bytes,
                                         const std::array<std::int64_t, 3>& tile_bytes);

// The architecture a layer is tiled against under `split`: each served tensor's buffer is the
// global buffer's spec with its share of the capacity.
arch::ArchSpec tiling_view(const arch::ArchSpec& arch, const BufferSplit& split);

}  // namespace qarch::mapping
