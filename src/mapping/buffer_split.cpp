#include "mapping/buffer_split.hpp"

namespace qarch::mapping {

std::vector<BufferSplit> buffer_splits(const arch::ArchSpec& arch) {
  std::vector<int> served;
  for (int t = 0; t < 3; ++t)
    if (arch.served_by_global(static_cast<arch::Tensor>(t))) served.push_back(t);
  std::vector<BufferSplit> splits;
  if (served.empty()) return splits;
  // Compositions of kSplitParts into served.size() positive parts, first part largest first.
  BufferSplit split{};
  const auto place = [&](auto& self, std::size_t i, int left) -> void {
    const int t = served[i];
    if (i + 1 == served.size()) {
      split[static_cast<std::size_t>(t)] = left;
      splits.push_back(split);
      return;
    }
    const int others = static_cast<int>(served.size() - i - 1);
    for (int parts = left - others; parts >= 1; --parts) {
      split[static_cast<std::size_t>(t)] = parts;
      self(self, i + 1, left - parts);
    }
  };
  place(place, 0, kSplitParts);
  return splits;
}

arch::ArchSpec tiling_view(const arch::ArchSpec& arch, const BufferSplit& split) {
  arch::ArchSpec view = arch;
  arch::BufferSpec* buffers[3] = {&view.weight_buffer, &view.input_buffer, &view.output_buffer};
  for (int t = 0; t < 3; ++t) {
    if (!arch.served_by_global(static_cast<arch::Tensor>(t))) continue;
    buffers[t]->size_kib = arch.global_buffer.size_kib * split[static_cast<std::size_t>(t)] / kSplitParts;
  }
  return view;
}

}  // namespace qarch::mapping
