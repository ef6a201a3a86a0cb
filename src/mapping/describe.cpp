#include <iomanip>
#include <sstream>

#include "mapping/mapping.hpp"

namespace qarch::mapping {

namespace {

void describe_tile(std::ostream& out, const char* name, const BufferTile& t) {
  out << "  " << std::left << std::setw(8) << name << std::right << t.value_bits << "-bit";
  if (t.storage.block > 0) out << " + " << t.storage.scale_bits << "-bit scale per " << t.storage.block;
  out << ", " << t.values_per_word << "/word; tile " << t.tile_elements << " values = " << t.tile_words
      << " words; reuse set " << t.reuse_bytes << " B of " << t.capacity_bytes << " B usable ("
      << (t.resident ? "resident" : "streamed") << "); DRAM " << t.dram_bytes << " B x "
      << t.dram_fetches << "\n";
}

}  // namespace

std::string describe(const Mapping& mp) {
  std::ostringstream out;
  out << mp.layer << " (" << workload::to_string(mp.type) << ") on the " << mp.unit();
  if (!mp.vector) out << ", dataflow " << arch::to_string(mp.dataflow);
  out << ", " << mp.rows << "x" << mp.cols << "\n";
  if (mp.lanes > 1 || mp.step_cycles > 1) {  // a precision-scalable PE (arch/precision_scaling.hpp)
    out << "  precision scaling: " << mp.lanes << " product" << (mp.lanes > 1 ? "s" : "") << " per PE ("
        << mp.rows << "x" << mp.cols / mp.lanes << " PEs), " << mp.step_cycles << " clock"
        << (mp.step_cycles > 1 ? "s" : "") << " per step\n";
  }
  mp.flow->describe(mp, out);
  out << "  loop order: " << mp.loop_order << "\n";
  if (!mp.vector) {
    const auto scaled = [&](const Storage& s) {
      return s.block > 0 ? " (+" + std::to_string(s.scale_bits) + "/" + std::to_string(s.block) + " scale)" : std::string();
    };
    out << "  formats: weights " << mp.weight_bits << "-bit" << scaled(mp.weight_storage) << ", activations "
        << mp.activation_bits << "-bit" << scaled(mp.activation_storage) << ", accumulators " << mp.accumulator_bits << "-bit, multiplier " << mp.multiplier
        << "\n";
    describe_tile(out, "weights", mp.weights);
  }
  if (mp.split != BufferSplit{}) {
    out << "  global buffer split:";
    const char* names[3] = {"weights", "inputs", "outputs"};
    for (int t = 0; t < 3; ++t)
      if (mp.split[static_cast<std::size_t>(t)] > 0)
        out << " " << names[t] << " " << mp.split[static_cast<std::size_t>(t)] << " B";
    out << "\n";
  }
  describe_tile(out, "inputs", mp.inputs);
  describe_tile(out, "outputs", mp.outputs);
  if (mp.psum_spill) out << "  partial sums spill to DRAM between the folds of their reduction\n";
  mp.flow->describe_choice(mp, out);
  const OnChip& c = mp.on_chip;
  if (c.weights) out << "  weights resident: " << c.weight_bytes_saved << " B of weight loads left out\n";
  if (c.input_end > c.input_begin) {
    out << "  input from " << c.input_from << " on chip: " << c.input_bytes_saved << " B of loads left out\n";
  }
  if (c.output) out << "  output on chip for " << c.fused_into << ": " << c.output_bytes_saved << " B of stores left out\n";
  out << "  estimate: " << mp.estimate.total_cycles << " total cycles = " << mp.estimate.compute_cycles
      << " compute + " << mp.estimate.stall_cycles << " stall (DRAM busy " << mp.estimate.dram_cycles
      << " cycles)\n";
  out << "  compute cycles " << mp.compute_cycles << ", mapping efficiency " << std::fixed
      << std::setprecision(4) << mp.mapping_efficiency << ", MACs " << mp.macs << ", DRAM "
      << mp.dram_read_bytes << " B read, " << mp.dram_write_bytes << " B written\n";
  return out.str();
}

}  // namespace qarch::mapping
