#include "mapping/buffer_split.hpp"

#include <algorithm>

namespace qarch::mapping {

namespace {

std::vector<int> served_tensors(const arch::ArchSpec& arch) {
  std::vector<int> served;
  for (int t = 0; t < 3; ++t)
    if (arch.served_by_global(static_cast<arch::Tensor>(t))) served.push_back(t);
  return served;
}

}  // namespace

std::vector<BufferSplit> buffer_splits(const arch::ArchSpec& arch) {
  const std::vector<int> served = served_tensors(arch);
  std::vector<BufferSplit> splits;
  if (served.empty()) return splits;
  const std::int64_t total = arch.global_buffer.size_bytes();
  // Compositions of kSplitParts into served.size() positive parts, the first tensor's largest
  // first; the last part takes the bytes the others leave, so the shares sum to the capacity.
  BufferSplit split{};
  const auto place = [&](auto& self, std::size_t i, int left, std::int64_t bytes_left) -> void {
    const auto t = static_cast<std::size_t>(served[i]);
    if (i + 1 == served.size()) {
      split[t] = bytes_left;
      splits.push_back(split);
      return;
    }
    const int others = static_cast<int>(served.size() - i - 1);
    for (int parts = left - others; parts >= 1; --parts) {
      split[t] = total * parts / kSplitParts;
      self(self, i + 1, left - parts, bytes_left - split[t]);
    }
  };
  place(place, 0, kSplitParts, total);
  return splits;
}

std::vector<BufferSplit> residency_splits(const arch::ArchSpec& arch, const std::array<std::int64_t, 3>& reuse_bytes,
                                         const std::array<std::int64_t, 3>& tile_bytes) {
  const std::vector<int> served = served_tensors(arch);
  const std::int64_t total = arch.global_buffer.size_bytes();
  const std::int64_t halves = arch.global_buffer.double_buffered ? 2 : 1;  // a share is double-buffered too
  std::vector<BufferSplit> splits;
  // Each served tensor gets its reuse set, its tile, or a part of what the others leave.
  std::size_t combos = 1;
  for (std::size_t i = 0; i < served.size(); ++i) combos *= 3;
  for (std::size_t combo = 1; combo < combos; ++combo) {
    BufferSplit split{};
    std::int64_t used = 0;
    std::vector<std::size_t> rest;
    std::size_t code = combo;
    for (std::size_t i = 0; i < served.size(); ++i, code /= 3) {
      const auto t = static_cast<std::size_t>(served[i]);
      const std::size_t need = code % 3;  // 0: the rest, 1: reuse set, 2: tile
      if (need == 0) {
        rest.push_back(t);
        continue;
      }
      split[t] = (need == 1 ? reuse_bytes[t] : tile_bytes[t]) * halves;
      used += split[t];
    }
    if (used > total || (!rest.empty() && used == total)) continue;
    if (rest.empty()) {  // what is left goes to the first of them
      split[static_cast<std::size_t>(served.front())] += total - used;
    } else {
      const auto n = static_cast<std::int64_t>(rest.size());
      for (std::size_t i = 0; i < rest.size(); ++i)
        split[rest[i]] = (total - used) / n + (i == 0 ? (total - used) % n : 0);
    }
    if (std::find(splits.begin(), splits.end(), split) == splits.end()) splits.push_back(split);
  }
  return splits;
}

arch::ArchSpec tiling_view(const arch::ArchSpec& arch, const BufferSplit& split) {
  arch::ArchSpec view = arch;
  arch::BufferSpec* buffers[3] = {&view.weight_buffer, &view.input_buffer, &view.output_buffer};
  for (int t = 0; t < 3; ++t) {
    if (!arch.served_by_global(static_cast<arch::Tensor>(t))) continue;
    buffers[t]->size_kib = static_cast<double>(split[static_cast<std::size_t>(t)]) / 1024.0;
  }
  return view;
}

}  // namespace qarch::mapping
