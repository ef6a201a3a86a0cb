#include "mapping/fusion.hpp"

#include <algorithm>
#include <map>
#include <stdexcept>

#include "arch/network_check.hpp"
#include "mapping/buffer_tile.hpp"
#include "mapping/fold_plan.hpp"
#include "mapping/packing.hpp"

namespace qarch::mapping {

using workload::Layer;
using workload::LayerType;

namespace {

bool runs_on_vector_unit(LayerType type) {
  switch (type) {
    case LayerType::MaxPool:
    case LayerType::AvgPool:
    case LayerType::Add:
    case LayerType::Activation:
    case LayerType::Embedding: return true;
    default: return false;
  }
}

// Layers reading each layer's output (a layer reading it twice counts once).
std::map<std::string, int> readers(const workload::Network& network) {
  std::map<std::string, int> count;
  for (const Layer& layer : network.layers) {
    std::vector<std::string> names = layer.inputs;
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    for (const std::string& name : names) ++count[name];
  }
  return count;
}

// The bytes of `consumer`'s input region that come from `producer`: the whole region, or for
// add the operand(s) it produced. The vector unit packs both operands of add into one tensor
// (first operand first), so the boundary is where its transfers split it (tensor_part).
void on_chip_input(const Layer& consumer, const Mapping& mp, const std::string& producer, OnChip& c) {
  c.input_from = producer;
  const bool first = !consumer.inputs.empty() && consumer.inputs[0] == producer;
  const bool second = consumer.inputs.size() > 1 && consumer.inputs[1] == producer;
  if (consumer.type != LayerType::Add || (first && second) || consumer.inputs.size() < 2) {
    c.input_begin = 0;
    c.input_end = kDramRegionBytes;
    return;
  }
  const std::int64_t elements = consumer.input_elements();
  const std::int64_t first_elements = consumer.batch * consumer.input.elements();
  const std::int64_t boundary =
      elements > 0 ? mul_div(first_elements, mp.inputs.dram_bytes, elements) : 0;
  c.input_begin = first ? 0 : boundary;
  c.input_end = first ? boundary : kDramRegionBytes;
}

// The parts of `t` outside [begin, end) (absolute addresses).
void add_outside(TransferList& list, const Transfer& t, std::int64_t begin, std::int64_t end) {
  const std::int64_t a = t.address, b = t.address + t.bytes;
  const auto add = [&](std::int64_t from, std::int64_t to) {
    if (to <= from) return;
    if (list.count == static_cast<int>(list.items.size())) throw std::logic_error("drop_on_chip: transfer list full");
    Transfer part = t;
    part.address = from;
    part.bytes = to - from;
    list.add(part);
  };
  add(a, std::min(b, begin));
  add(std::max(a, end), b);
}

}  // namespace

OnChipChoice on_chip_choice(const arch::ArchSpec& arch, const workload::Network& network) {
  return {arch.memory.fuse_layers, arch::weights_resident(arch, network)};
}

std::vector<OnChip> plan_on_chip(const arch::ArchSpec& arch, const workload::Network& network,
                                 const std::vector<Mapping>& mappings, const OnChipChoice& choice) {
  const std::size_t n = network.layers.size();
  if (mappings.size() != n) throw std::logic_error("plan_on_chip: one mapping per layer expected");
  std::vector<OnChip> plan(n);
  if (choice.weights_resident) {
    for (std::size_t i = 0; i < n; ++i) plan[i].weights = network.layers[i].has_weights();
  }
  if (!choice.fuse) return plan;
  const std::map<std::string, int> count = readers(network);
  for (std::size_t i = 0; i + 1 < n; ++i) {
    const Layer& producer = network.layers[i];
    const Layer& consumer = network.layers[i + 1];
    const bool reads_it = std::find(consumer.inputs.begin(), consumer.inputs.end(), producer.name) !=
                          consumer.inputs.end();
    const auto it = count.find(producer.name);
    if (!reads_it || it == count.end() || it->second != 1) continue;
    const Mapping& mp = mappings[i + 1];
    bool keep = false;
    if (runs_on_vector_unit(consumer.type)) {
      keep = true;
    } else if (consumer.macs() > 0 && consumer.inputs.size() == 1) {
      // The consumer's input buffer as its mapping has it (its share of a global buffer).
      keep = consumer.input_elements() <= usable_values(tiling_view(arch, mp.split).input_buffer, mp.activation_storage);
    }
    if (!keep) continue;
    plan[i].output = true;
    plan[i].fused_into = consumer.name;
    on_chip_input(consumer, mp, producer.name, plan[i + 1]);
  }
  return plan;
}

void drop_on_chip(const OnChip& c, FoldWork& w) {
  if (!c.any()) return;
  const std::int64_t base = dram_region(Operand::Input, false);
  TransferList loads;
  for (int i = 0; i < w.loads.count; ++i) {
    const Transfer& t = w.loads.items[static_cast<std::size_t>(i)];
    if (!t.partial_sums && t.operand == Operand::Weight && c.weights) continue;
    if (!t.partial_sums && t.operand == Operand::Input && c.input_end > c.input_begin) {
      add_outside(loads, t, base + c.input_begin, base + c.input_end);
      continue;
    }
    loads.add(t);
  }
  w.loads = loads;
  if (!c.output) return;
  TransferList stores;
  for (int i = 0; i < w.stores.count; ++i) {
    const Transfer& t = w.stores.items[static_cast<std::size_t>(i)];
    if (!t.partial_sums && t.operand == Operand::Output) continue;
    stores.add(t);
  }
  w.stores = stores;
}

void keep_on_chip(const arch::ArchSpec& arch, Mapping& mp, const OnChip& on_chip) {
  if (mp.on_chip.any()) throw std::logic_error("keep_on_chip: " + mp.layer + " keeps something already");
  mp.on_chip = on_chip;
  mp.on_chip.weight_bytes_saved = mp.on_chip.input_bytes_saved = mp.on_chip.output_bytes_saved = 0;
  if (!on_chip.any()) return;
  // Each fold as planned, against what is left of it.
  const auto per_operand = [](const TransferList& list, Operand operand) {
    std::int64_t sum = 0;
    for (int i = 0; i < list.count; ++i) {
      const Transfer& t = list.items[static_cast<std::size_t>(i)];
      if (!t.partial_sums && t.operand == operand) sum += t.bytes;
    }
    return sum;
  };
  for (std::int64_t f = 0; f < mp.folds(); ++f) {
    FoldWork planned;
    planned.group = f / mp.folds_per_group;
    planned.fold = f % mp.folds_per_group;
    mp.flow->fold_work(mp, planned);
    FoldWork left = planned;
    drop_on_chip(mp.on_chip, left);
    mp.on_chip.weight_bytes_saved += per_operand(planned.loads, Operand::Weight) - per_operand(left.loads, Operand::Weight);
    mp.on_chip.input_bytes_saved += per_operand(planned.loads, Operand::Input) - per_operand(left.loads, Operand::Input);
    mp.on_chip.output_bytes_saved += per_operand(planned.stores, Operand::Output) - per_operand(left.stores, Operand::Output);
  }
  mp.dram_read_bytes -= mp.on_chip.weight_bytes_saved + mp.on_chip.input_bytes_saved;
  mp.dram_write_bytes -= mp.on_chip.output_bytes_saved;
  if (mp.on_chip.bytes_saved() > 0) mp.estimate = estimate(arch, mp.compute_cycles, dma_profile(arch, mp));
}

OnChipSummary summarize_on_chip(const arch::ArchSpec& arch, const workload::Network& network,
                                const std::vector<Mapping>& mappings) {
  OnChipSummary s;
  for (const Mapping& mp : mappings) {
    s.fused_outputs += mp.on_chip.output ? 1 : 0;
    s.fusion_bytes_saved += mp.on_chip.input_bytes_saved + mp.on_chip.output_bytes_saved;
    s.weight_bytes_saved += mp.on_chip.weight_bytes_saved;
  }
  s.fusion_bytes_possible = s.fusion_bytes_saved;
  if (!arch.memory.fuse_layers) {
    // What fusion would remove: the same mappings with it on (weights aside).
    std::vector<Mapping> fused = mappings;
    for (Mapping& mp : fused) mp.on_chip = OnChip{};
    const std::vector<OnChip> plan = plan_on_chip(arch, network, fused, {true, false});
    s.fusion_bytes_possible = 0;
    for (std::size_t i = 0; i < fused.size(); ++i) {
      keep_on_chip(arch, fused[i], plan[i]);
      s.fusion_bytes_possible += fused[i].on_chip.input_bytes_saved + fused[i].on_chip.output_bytes_saved;
    }
  }
  return s;
}

}  // namespace qarch::mapping
