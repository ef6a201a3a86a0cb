#pragma once
// SRAM timing: how many words per cycle each buffer can move between its banks and the array's
// edge, and the stall cycles that follow when the array asks for more (docs/architecture.md,
// "SRAM timing").
//
// A bank serves `ports` word accesses per cycle, reads and writes alike. The operands the array
// moves across a buffer's edge in one cycle are packed into words (packing.hpp) and the words
// are interleaved over the banks, so a cycle needing w words of a buffer with b banks of p ports
// takes ceil(w / (b p)) cycles: the array stalls for the rest. Operands that share a buffer
// (buffers.global) add their words. The DMA's fills and drains do not take the array's ports:
// they go to the idle half of a double-buffered buffer, and a single-buffered one is filled
// while the array waits (the controller's rule). memory.ideal removes these stalls too: an ideal
// memory never holds the array (SCALE-Sim's compute cycles).
//
// Both engines price a cycle's demand here. The fast one sums the dataflow's closed-form demand
// of a fold (Dataflow::edge_demand); the reference one prices what its stepper moved in each
// cycle. They agree only if the closed form is right, which tests/sim checks.

#include <array>
#include <cstdint>
#include <vector>

#include "arch/arch_spec.hpp"
#include "mapping/packing.hpp"

namespace qarch::mapping {

struct Mapping;

// What crosses the array's edge in one cycle, in elements.
enum class EdgeOp { WeightRead, InputRead, OutputWrite, PsumRead };
inline constexpr int kEdgeOps = 4;

struct EdgeCycle {
  std::array<std::int64_t, kEdgeOps> elements{};
  std::int64_t& operator[](EdgeOp op) { return elements[static_cast<std::size_t>(op)]; }
  std::int64_t operator[](EdgeOp op) const { return elements[static_cast<std::size_t>(op)]; }
  bool operator==(const EdgeCycle& c) const { return elements == c.elements; }
};

// A fold's demand as a histogram: `cycles` cycles each moving `cycle`. Stalls do not depend on
// the order of cycles, so the closed forms list runs in any order; cycles that move nothing
// need not be listed.
struct EdgeRun {
  EdgeCycle cycle;
  std::int64_t cycles = 0;
};

struct EdgeDemand {
  std::vector<EdgeRun> runs;
  void add(const EdgeCycle& cycle, std::int64_t cycles);  // merges with the last run when equal
};

// `count` edge ports, port i moving one element of `op` per cycle in [first + i, first + i +
// length): a systolic array's skewed rows or columns. Adds their cycles to `demand` together,
// since streams that overlap in time share the cycles' ports.
struct StaggeredStream {
  EdgeOp op = EdgeOp::InputRead;
  std::int64_t first = 0, count = 0, length = 0;
};
void add_streams(const std::vector<StaggeredStream>& streams, EdgeDemand& demand);

// The physical buffers a mapping's edge traffic goes to: weight, input and output buffers, or
// the shared global buffer for the operands it serves.
class BufferPorts {
 public:
  BufferPorts() = default;
  BufferPorts(const arch::ArchSpec& arch, const Mapping& mapping);

  // Cycles the buffers need to serve `cycle`: at least 1.
  std::int64_t cycles(const EdgeCycle& cycle) const;
  // Stall cycles of a fold: the sum over its cycles of cycles() - 1.
  std::int64_t stall_cycles(const EdgeDemand& demand) const;

 private:
  struct Buffer {
    int word_bits = 64;
    std::int64_t words_per_cycle = 1;  // banks x ports
  };
  std::array<Buffer, 4> buffers_{};       // weight, input, output, global
  std::array<int, kEdgeOps> buffer_of_{};  // EdgeOp -> index into buffers_
  std::array<Storage, kEdgeOps> value_bits_{};  // scales cross the edge with their block
  bool unbounded_ = true;  // memory.ideal (or no mapping yet): no memory stalls at all
};

}  // namespace qarch::mapping
