#pragma once
// The typed description of one design point, loaded and validated from YAML (docs/config.md).
// Plain data: mapping, sim and cost read it; only arch_loader knows about YAML.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "config/document.hpp"
#include "numerics/format.hpp"
#include "numerics/multiplier.hpp"
#include "arch/precision_scaling.hpp"

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

// The tensors a layer keeps on chip; the global buffer may serve any of them.
enum class Tensor { Weight, Input, Output };

std::string_view to_string(Tensor tensor);  // "weight", "input", "output"

// JEDEC timing of a DRAM device in clock cycles of tCK (../shared/reference/dram/README.md).
struct JedecTiming {
  int cl = 0, cwl = 0;          // read and write latency: column command to first data
  int rcd = 0, rp = 0, ras = 0;  // activate to column, precharge, activate to precharge
  int rrd_s = 0, rrd_l = 0;     // activate to activate, other / same bank group
  int faw = 0;                  // four activates per rank in this window
  int ccd_s = 0, ccd_l = 0;     // column to column, other / same bank group
  int wtr_s = 0, wtr_l = 0;     // end of write data to read, other / same bank group
  int wr = 0;                   // end of write data to precharge
  int rtp = 0;                  // read to precharge
  int refi = 0, rfc = 0;        // refresh interval and duration (all banks of a rank)
};

// Off-chip DRAM: a device from models/dram/<name>.yaml (docs/config.md, "DRAM devices"), every
// field of which the architecture YAML may override under memory.dram.
struct DramSpec {
  std::string device;                // the device file's name, e.g. "ddr4-3200"
  double tck_ns = 0;                 // clock period; data moves on both edges
  int channels = 1, ranks = 1, bank_groups = 1, banks_per_group = 1;
  int bus_bits = 64;                 // data bus of one channel
  int burst_length = 8;              // beats per burst
  int page_bytes = 0;                // row buffer of one bank, across the channel's devices
  JedecTiming timing;
  // Address bits from the most significant down, above the burst offset: each of row, rank,
  // channel, bankgroup, bank, column once.
  std::string address_map = "row,rank,bankgroup,bank,channel,column";
  int queue_depth = 32;              // transaction queue of a channel
  int bank_queue_depth = 8;          // command queue of a bank
  bool open_page = true;             // false: close the row after each access (closed page)
  double latency_ns = 0;             // controller and PHY in front of the device, every request
  double energy_pj_per_bit = 0;      // read or written, device and interface
  std::string energy_source;         // where that figure comes from

  int burst_bytes() const { return bus_bits / 8 * burst_length; }
  int banks_per_rank() const { return bank_groups * banks_per_group; }
  // Peak: every channel's bus busy with data on both clock edges. 1 GB = 1e9 bytes.
  double bandwidth_gb_per_s() const { return tck_ns > 0 ? channels * bus_bits / 8.0 * 2.0 / tck_ns : 0; }
};

// The devices in `models_dir`/dram/ (file names without .yaml, sorted), and one of them by name
// or alias. Throws config::InputError naming the file, line and key of a bad device file.
std::vector<std::string> dram_device_names(const std::string& models_dir);
// The fields of an address map, most significant first ("row,rank,..." -> {"row", "rank", ...}).
std::vector<std::string> address_map_fields(const std::string& map);
DramSpec load_dram_device(const std::string& models_dir, const std::string& name);

// Where technology tables and DRAM devices live: $QARCH_MODELS_DIR, else this checkout's
// models/ (compiled in).
std::string default_models_dir();

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
  // What one PE is (precision_scaling.hpp): bit-parallel, or scalable in precision.
  PrecisionScaling precision_scaling = PrecisionScaling::BitParallel;
  SerialOperand serial_operand = SerialOperand::Activations;  // bit_serial only
  // Voltage-accuracy-frequency scaling (cost/voltage_scaling.hpp): a layer the scalable PE runs
  // faster than at its own widths runs at a lower clock and supply instead.
  bool dvafs = false;
  // How block-scaled operands are quantized in functional mode (numerics/block_format.hpp).
  numerics::ScaleRule block_scale_rule = numerics::ScaleRule::Floor;
  numerics::TieRule block_rounding = numerics::TieRule::Even;
  // The vector unit's special-function unit (exp, reciprocal, and the multiplies and adds of
  // softmax, the norms, GELU, SiLU, RoPE): its number format (cost/special_functions.hpp).
  numerics::Format special_function_format = numerics::Format::make_float(8, 23);
};

// Elements of the reduction axis that the array sums spatially before a partial sum is kept:
// rows for ws, is and adder_tree; 0 when the reduction runs in time inside a PE (os). Block
// boundaries must fall on these sums, so a block format's block size must divide it.
int spatial_reduction_width(const PeArraySpec& pe);

// Empty when the array can run weights and activations of these formats with their blocks
// along its reduction; otherwise why not, naming the key to change.
std::optional<std::string> check_block_layout(const PeArraySpec& pe, const numerics::Format& weight,
                                              const numerics::Format& activation);

// memory.weights_resident: whether every weight of the network stays in the weight buffer
// across inferences (loaded once, not per inference). Auto: when they all fit
// (arch::weight_footprint, network_check.hpp).
enum class WeightResidency { Auto, Resident, Streamed };

std::string_view to_string(WeightResidency residency);  // "auto", "true", "false"

struct MemorySpec {
  bool ideal = false;  // true: unlimited DRAM bandwidth, no memory stalls
  DramSpec dram;
  // Layer fusion and on-chip hand-off (mapping/fusion.hpp): a layer's output that only the
  // next layer reads stays on chip instead of going to DRAM and back.
  bool fuse_layers = true;
  WeightResidency weights_resident = WeightResidency::Auto;
  config::Location weights_resident_location;  // of the key, for the check against the network
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
  // Each tensor's buffer. A tensor served by the global buffer has the global buffer's spec
  // here (size, banks, ports: what one access costs), and the mapper gives it a share of the
  // capacity per layer (mapping/buffer_split.hpp).
  BufferSpec weight_buffer;
  BufferSpec input_buffer;
  BufferSpec output_buffer;
  BufferSpec global_buffer;                 // buffers.global; size 0 when there is none
  std::array<bool, 3> global_serves{};      // by Tensor

  bool served_by_global(Tensor t) const { return global_serves[static_cast<std::size_t>(t)]; }
  bool has_global_buffer() const { return global_buffer.size_kib > 0; }
  MemorySpec memory;
  MapperSpec mapper;
};

// Loads `path`, applies `overrides` (--set), validates every key; the DRAM device comes from
// `models_dir`. Throws config::InputError listing every problem with file:line:column and key
// path.
ArchSpec load_arch(const std::string& path, const std::vector<config::Override>& overrides = {},
                   const std::string& models_dir = default_models_dir());

// The same, for a document already loaded (and overridden): validates every key.
ArchSpec parse_arch(const config::Document& document, const std::string& models_dir = default_models_dir());

}  // namespace qarch::arch
