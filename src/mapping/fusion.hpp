#pragma once
// Layer fusion, on-chip hand-off and resident weights: what stays on chip between layers
// instead of going to DRAM and back (docs/architecture.md, "Fusion and weight residency").
// Decided after every layer is planned, from the network's producers (Layer::inputs):
//
// - fusion: a vector-unit layer (add, activation, max/avg pooling) that runs right after the
//   layer producing its input, that output being read by no other layer, takes it on chip: the
//   producer stores none of it and the consumer loads none of it (for add only the operand from
//   the producer; a skip connection is still read). Chains (conv → relu → maxpool) fuse pair by
//   pair, so only the chain's last layer writes to DRAM.
// - hand-off: a layer with MACs and one input that runs right after its producer, that output
//   read by no other layer, takes it on chip when the whole input fits its input buffer's
//   usable capacity (usable_values at its activation width).
// - resident weights (arch::weights_resident): no layer loads weights.
//
// The dataflows plan each layer as if everything moved through DRAM; keep_on_chip() records the
// decision in Mapping::on_chip and fold_work() then drops those transfers, so the simulator,
// the cost model and the reports all see the same traffic. The mapper's choice of loop nest does
// not know about it.

#include <cstdint>
#include <vector>

#include "arch/arch_spec.hpp"
#include "mapping/mapping.hpp"
#include "workload/network.hpp"

namespace qarch::mapping {

struct FoldWork;

struct OnChipChoice {
  bool fuse = true;               // fusion and hand-off (memory.fuse_layers)
  bool weights_resident = false;  // arch::weights_resident
};

// The architecture's choice for `network`.
OnChipChoice on_chip_choice(const arch::ArchSpec& arch, const workload::Network& network);

// For `mappings` (one per layer of `network`, in order): what each layer keeps on chip. The
// *_saved fields are left 0 (keep_on_chip fills them).
std::vector<OnChip> plan_on_chip(const arch::ArchSpec& arch, const workload::Network& network,
                                 const std::vector<Mapping>& mappings, const OnChipChoice& choice);

// Records `on_chip` in `mapping` (which must not have kept anything yet): its DRAM bytes, its
// estimate and on_chip's *_saved become what is left and what was dropped.
void keep_on_chip(const arch::ArchSpec& arch, Mapping& mapping, const OnChip& on_chip);

// Drops from `work` the transfers `on_chip` keeps on chip (fold_work calls it).
void drop_on_chip(const OnChip& on_chip, FoldWork& work);

// Network totals, for the reports.
struct OnChipSummary {
  std::int64_t fused_outputs = 0;        // layers whose output stays on chip
  std::int64_t fusion_bytes_saved = 0;   // DRAM bytes fusion and hand-off remove (0 when off)
  std::int64_t fusion_bytes_possible = 0;  // what they remove, or would remove when off
  std::int64_t weight_bytes_saved = 0;   // weight loads that resident weights remove
};

// `mappings` as map_network made them for `network` on `arch`.
OnChipSummary summarize_on_chip(const arch::ArchSpec& arch, const workload::Network& network,
                                const std::vector<Mapping>& mappings);

}  // namespace qarch::mapping
