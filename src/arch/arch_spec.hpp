#pragma once
// The typed description of one design point, loaded and validated from YAML (docs/config.md).
// Plain data: mapping, sim and cost read it; only arch_loader knows about YAML.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "config/document.hpp"
#include "numerics/format.hpp"
#include "numerics/multiplier.hpp"

namespace qarch::arch {

enum class Dataflow { WeightStationary, OutputStationary, InputStationary, RowStationary, AdderTree };

std::string_view to_string(Dataflow dataflow);  // "ws", "os", "is", "rs", "adder_tree"

// One on-chip SRAM buffer.
struct BufferSpec {
  double size_kib = 0;          // capacity in KiB (1024 bytes)
  int banks = 1;
  int word_bits = 64;           // bits per bank access
  int ports = 1;                // read/write ports per bank
  bool double_buffered = true;  // half is filled while the other half is read

  std::int64_t size_bytes() const { return static_cast<std::int64_t>(size_kib * 1024.0); }
};

enum class DramType { Ddr4, Lpddr4, Hbm2 };

std::string_view to_string(DramType type);  // "ddr4", "lpddr4", "hbm2"

// Off-chip DRAM. Every field has a per-type preset (dram_preset) that the YAML may override.
struct DramSpec {
  DramType type = DramType::Lpddr4;
  double bandwidth_gb_per_s = 0;  // peak data rate of the whole interface, 1 GB = 1e9 bytes
  double latency_ns = 0;          // fixed controller + PHY latency added to every request
  int banks = 0;                  // banks per channel
  int row_buffer_bytes = 0;       // one open row (page) per bank
  int burst_bytes = 0;            // bytes moved by one read/write burst
  double t_rcd_ns = 0;            // activate to column command (row miss)
  double t_rp_ns = 0;             // precharge (row conflict)
  double t_cas_ns = 0;            // column command to data (every access)
};

// JEDEC-typical parameters for one interface of each type (docs/config.md gives sources).
DramSpec dram_preset(DramType type);

// A per-PE register file (scratchpad) for one operand.
struct RegisterFileSpec {
  int entries = 1;    // words held
  int word_bits = 0;  // bits per word; 0 means the operand's width
};

struct PeArraySpec {
  int rows = 0;
  int cols = 0;
  Dataflow dataflow = Dataflow::WeightStationary;
  numerics::Format weight_format = numerics::Format::make_int(8);
  numerics::Format activation_format = numerics::Format::make_int(8);
  numerics::Format accumulator_format = numerics::Format::make_int(32);
  numerics::MultiplierStyle multiplier = numerics::MultiplierStyle::make(numerics::MultiplierKind::Exact);
  RegisterFileSpec weight_rf;
  RegisterFileSpec input_rf;
  RegisterFileSpec output_rf;  // partial sums
  bool zero_gating = false;    // a PE skips the multiply (and its energy) when an operand is zero
};

struct MemorySpec {
  bool ideal = false;  // true: unlimited DRAM bandwidth, no memory stalls
  DramSpec dram;
};

// How the cost model prices actions: absolute pJ from the technology table, or the Eyeriss
// normalized hierarchy (ALU 1 : RF 1 : array 2 : global buffer 6 : DRAM 200).
enum class CostStyle { Absolute, EyerissNormalized };

std::string_view to_string(CostStyle style);  // "absolute", "eyeriss_normalized"

// What the mapper minimizes over a layer's candidate loop nests (mapping/mapper.hpp): estimated
// cycles (the default), the cost model's energy, or their product (energy-delay).
enum class MapperObjective { Cycles, Energy, Edp };

std::string_view to_string(MapperObjective objective);  // "cycles", "energy", "edp"

struct MapperSpec {
  MapperObjective objective = MapperObjective::Cycles;
};

struct ArchSpec {
  std::string name;
  std::string source_file;
  double clock_ghz = 0;
  // Technology table: models/<technology>.yaml, e.g. "45nm". Any table in the models
  // directory is a technology (the cost model checks that it exists, naming this location).
  std::string technology;
  config::Location technology_location;
  CostStyle cost_style = CostStyle::Absolute;
  PeArraySpec pe_array;
  BufferSpec weight_buffer;
  BufferSpec input_buffer;
  BufferSpec output_buffer;
  MemorySpec memory;
  MapperSpec mapper;
};

// Loads `path`, applies `overrides` (--set), validates every key. Throws config::InputError
// listing every problem with file:line:column and key path.
ArchSpec load_arch(const std::string& path, const std::vector<config::Override>& overrides = {});

// The same, for a document already loaded (and overridden): validates every key.
ArchSpec parse_arch(const config::Document& document);

}  // namespace qarch::arch
