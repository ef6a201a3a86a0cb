#include "mapping/buffer_ports.hpp"

#include <algorithm>

#include "mapping/mapping.hpp"
#include "mapping/packing.hpp"

namespace qarch::mapping {

void EdgeDemand::add(const EdgeCycle& cycle, std::int64_t cycles) {
  if (cycles <= 0) return;
  if (!runs.empty() && runs.back().cycle == cycle) {
    runs.back().cycles += cycles;
  } else {
    runs.push_back({cycle, cycles});
  }
}

namespace {

// Ports of `s` busy at cycle `tau`: i in [0, count) with first + i <= tau < first + i + length.
std::int64_t busy_ports(const StaggeredStream& s, std::int64_t tau) {
  const std::int64_t d = tau - s.first;
  return std::max<std::int64_t>(0, std::min(s.count - 1, d) - std::max<std::int64_t>(0, d - s.length + 1) + 1);
}

}  // namespace

void add_streams(const std::vector<StaggeredStream>& streams, EdgeDemand& demand) {
  // Each stream's count is linear between its four breakpoints; between two consecutive
  // breakpoints of all streams a segment whose ends agree is constant (one run), the others are
  // ramps, taken cycle by cycle (at most count + length of them per stream).
  std::vector<std::int64_t> points;
  for (const StaggeredStream& s : streams) {
    if (s.count <= 0 || s.length <= 0) continue;
    for (std::int64_t p : {s.first, s.first + s.count, s.first + s.length, s.first + s.count + s.length})
      points.push_back(p);
  }
  std::sort(points.begin(), points.end());
  points.erase(std::unique(points.begin(), points.end()), points.end());
  const auto at = [&](std::int64_t tau) {
    EdgeCycle c;
    for (const StaggeredStream& s : streams)
      if (s.count > 0 && s.length > 0) c[s.op] += busy_ports(s, tau);
    return c;
  };
  for (std::size_t i = 0; i + 1 < points.size(); ++i) {
    const std::int64_t lo = points[i], hi = points[i + 1];
    const EdgeCycle first = at(lo);
    if (first == at(hi - 1)) {
      demand.add(first, hi - lo);
    } else {
      for (std::int64_t tau = lo; tau < hi; ++tau) demand.add(at(tau), 1);
    }
  }
}

BufferPorts::BufferPorts(const arch::ArchSpec& arch, const Mapping& mp) : unbounded_(arch.memory.ideal) {
  const arch::BufferSpec* specs[4] = {&arch.weight_buffer, &arch.input_buffer, &arch.output_buffer,
                                      &arch.global_buffer};
  for (std::size_t b = 0; b < buffers_.size(); ++b)
    buffers_[b] = {specs[b]->word_bits, std::max<std::int64_t>(1, std::int64_t{specs[b]->banks} * specs[b]->ports)};
  const auto own_or_global = [&](arch::Tensor t, int own) { return arch.served_by_global(t) ? 3 : own; };
  buffer_of_[static_cast<std::size_t>(EdgeOp::WeightRead)] = own_or_global(arch::Tensor::Weight, 0);
  buffer_of_[static_cast<std::size_t>(EdgeOp::InputRead)] = own_or_global(arch::Tensor::Input, 1);
  buffer_of_[static_cast<std::size_t>(EdgeOp::OutputWrite)] = own_or_global(arch::Tensor::Output, 2);
  buffer_of_[static_cast<std::size_t>(EdgeOp::PsumRead)] = own_or_global(arch::Tensor::Output, 2);
  value_bits_ = {mp.weight_storage, mp.activation_storage, Storage(mp.output_bits), Storage(mp.output_bits)};
}

std::int64_t BufferPorts::cycles(const EdgeCycle& cycle) const {
  if (unbounded_) return 1;
  std::array<std::int64_t, 4> words{};
  for (std::size_t op = 0; op < kEdgeOps; ++op) {
    const int b = buffer_of_[op];
    words[static_cast<std::size_t>(b)] +=
        words_for(cycle.elements[op], value_bits_[op], buffers_[static_cast<std::size_t>(b)].word_bits);
  }
  std::int64_t need = 1;
  for (std::size_t b = 0; b < buffers_.size(); ++b)
    need = std::max(need, ceil_div(words[b], buffers_[b].words_per_cycle));
  return need;
}

std::int64_t BufferPorts::stall_cycles(const EdgeDemand& demand) const {
  std::int64_t stall = 0;
  if (unbounded_) return 0;
  // Most folds never exceed the ports: price the busiest cycle of each kind first.
  EdgeCycle peak;
  for (const EdgeRun& run : demand.runs)
    for (std::size_t op = 0; op < kEdgeOps; ++op) peak.elements[op] = std::max(peak.elements[op], run.cycle.elements[op]);
  if (cycles(peak) == 1) return 0;
  for (const EdgeRun& run : demand.runs) stall += (cycles(run.cycle) - 1) * run.cycles;
  return stall;
}

}  // namespace qarch::mapping
