#pragma once
// The shared global buffer (buffers.global) split between the tensors it serves, per layer.
// The mapper plans the layer under each candidate split, as if each served tensor had a buffer
// of its share, and keeps the best by its objective (mapping.cpp). Candidates: every split in
// eighths of the capacity (each served tensor at least one eighth), and, from the reuse sets
// of the best of those, every split that gives a set of tensors exactly what keeps them resident
// and the others equal parts of the rest.

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

// The splits that keep each non-empty set of served tensors resident, given each tensor's
// reuse set in bytes (BufferTile::reuse_bytes), when that set fits and leaves room for the rest.
std::vector<BufferSplit> residency_splits(const arch::ArchSpec& arch, const std::array<std::int64_t, 3>& reuse_bytes);

// The architecture a layer is tiled against under `split`: each served tensor's buffer is the
// global buffer's spec with its share of the capacity.
arch::ArchSpec tiling_view(const arch::ArchSpec& arch, const BufferSplit& split);

}  // namespace qarch::mapping
