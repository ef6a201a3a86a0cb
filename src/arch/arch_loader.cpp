#include <optional>
#include <type_traits>

#include "arch/arch_spec.hpp"
#include "arch/enum_names.hpp"
#include "arch/dram_fields.hpp"
#include "config/map_reader.hpp"
#include "config/suggest.hpp"
#include "numerics/block_format.hpp"

namespace qarch::arch {
namespace {

using config::Diagnostics;
using config::MapReader;

// Limits that reject absurd design points before anything is sized from them.
constexpr std::int64_t kMaxArraySide = 4096;
constexpr double kMaxBufferKib = 1024.0 * 1024.0;  // 1 GiB
constexpr std::int64_t kMaxWordBits = 4096;


// A key whose value is one of an enum's names (enum_names.hpp). The fallback's type is
// std::common_type_t<E> so that E is deduced from the table alone and a plain enumerator
// converts to the optional.
template <class E, std::size_t N>
E read_enum(MapReader& r, const std::string& key, const NameTable<E, N>& table,
            std::optional<std::common_type_t<E>> fallback = std::nullopt) {
  std::optional<std::string> fallback_name;
  if (fallback) fallback_name = std::string(name_in(table, *fallback));
  return value_in(table, r.choice(key, names_in(table), fallback_name));
}

// Reads a format-valued key; `fallback` (a format name) when absent, required when empty.
std::optional<numerics::Format> read_format(MapReader& r, const std::string& key,
                                            const std::string& fallback = {}) {
  const auto value = r.child(key, fallback.empty());
  try {
    if (!value) return fallback.empty() ? std::nullopt : std::optional(numerics::Format::parse(fallback));
    if (!value->is_scalar()) throw numerics::FormatError("expected a format name such as int8");
    return numerics::Format::parse(value->scalar());
  } catch (const numerics::FormatError& e) {
    r.diagnostics().add(value ? value->location() : r.value().location(), r.path_of(key), e.what());
    return std::nullopt;
  }
}

void read_pe_array(MapReader& r, PeArraySpec& pe) {
  pe.rows = static_cast<int>(r.integer("rows", 1, kMaxArraySide));
  pe.cols = static_cast<int>(r.integer("cols", 1, kMaxArraySide));
  pe.dataflow = read_enum(r, "dataflow", kDataflowNames);
  const auto weight = read_format(r, "weight_format");
  const auto activation = read_format(r, "activation_format");
  // Integer operands accumulate exactly in int32 by default; anything else in fp32.
  const bool integer = weight && activation && weight->is_integer_like() && activation->is_integer_like() &&
                       !weight->is_block_scaled() && !activation->is_block_scaled();
  const auto accumulator = read_format(r, "accumulator_format", integer ? "int32" : "fp32");
  std::optional<numerics::MultiplierStyle> multiplier;
  const auto style = r.child("multiplier", false);
  try {
    multiplier = numerics::MultiplierStyle::parse(style ? style->scalar() : std::string("exact"));
  } catch (const numerics::FormatError& e) {
    r.error("multiplier", e.what());
  }
  struct Rf {
    const char* key;
    RegisterFileSpec* spec;
  };
  if (const auto rfs = r.child("register_files", false)) {
    MapReader files(*rfs, r.diagnostics());
    for (const Rf& rf : {Rf{"weight", &pe.weight_rf}, Rf{"input", &pe.input_rf}, Rf{"output", &pe.output_rf}}) {
      if (const auto value = files.child(rf.key, false)) {
        MapReader one(*value, r.diagnostics());
        rf.spec->entries = static_cast<int>(one.integer("entries", 1, 65536, 1));
        rf.spec->word_bits = static_cast<int>(one.integer("word_bits", 1, 4096, 0));
        one.finish();
      }
    }
    files.finish();
  }
  pe.zero_gating = r.boolean("zero_gating", false);
  pe.precision_scaling = read_enum(r, "precision_scaling", kPrecisionScalingNames, PrecisionScaling::BitParallel);
  if (r.child("serial_operand", false) && pe.precision_scaling != PrecisionScaling::BitSerial) {
    r.error("serial_operand", "applies to precision_scaling bit_serial only");
  }
  pe.serial_operand = read_enum(r, "serial_operand", kSerialOperandNames, SerialOperand::Activations);
  pe.dvafs = r.boolean("dvafs", false);
  if (pe.dvafs && pe.precision_scaling == PrecisionScaling::BitParallel) {
    r.error("dvafs", "scales the clock and supply with a precision-scalable PE's modes; a bit_parallel PE has one "
                     "mode (set precision_scaling to bit_serial, fusion or subword)");
  }
  pe.block_scale_rule = numerics::parse_scale_rule(r.choice("block_scale_rule", {"floor", "ceil", "rceil"}, "floor"))
                            .value_or(numerics::ScaleRule::Floor);
  pe.block_rounding =
      numerics::parse_tie_rule(r.choice("block_rounding", {"nearest_even", "nearest_away"}, "nearest_even"))
          .value_or(numerics::TieRule::Even);
  if (const auto sfu = read_format(r, "special_function_format", "fp32")) {
    if (sfu->is_block_scaled() || !(sfu->kind() == numerics::FormatKind::Float || sfu->is_integer_like())) {
      r.error("special_function_format", "the special-function unit computes in a float or an integer/fixed-point "
                                         "format (fp32, bf16, fp16, int16, fixed16_8, ...), got " + sfu->to_string());
    } else {
      pe.special_function_format = *sfu;
    }
  }
  if (weight) pe.weight_format = *weight;
  if (activation) pe.activation_format = *activation;
  if (accumulator) pe.accumulator_format = *accumulator;
  if (multiplier) pe.multiplier = *multiplier;
  if (weight && activation && accumulator && multiplier) {
    if (const auto why = numerics::check_mac(*multiplier, *weight, *activation, *accumulator)) {
      r.error("multiplier", *why);
    } else if (const auto layout = check_block_layout(pe, *weight, *activation)) {
      r.error(weight->is_block_scaled() ? "weight_format" : "activation_format", *layout);
    } else if (const auto mode = check_pe_mode(pe, *weight, *activation)) {
      r.error("precision_scaling", *mode);
    }
  }
  r.finish();
}

BufferSpec read_buffer(MapReader& r) {
  BufferSpec b;
  b.size_kib = r.number("size_kib", 0.0, kMaxBufferKib, std::nullopt, /*min_exclusive=*/true);
  b.banks = static_cast<int>(r.integer("banks", 1, 1024, 1));
  b.word_bits = static_cast<int>(r.integer("word_bits", 8, kMaxWordBits, 64));
  b.ports = static_cast<int>(r.integer("ports", 1, 4, 1));
  b.double_buffered = r.boolean("double_buffered", true);
  if (b.word_bits % 8 != 0) r.error("word_bits", "must be a multiple of 8, got " + std::to_string(b.word_bits));
  const double bank_bytes = b.size_kib * 1024.0 / b.banks;
  if (b.size_kib > 0 && bank_bytes < b.word_bits / 8.0) {
    r.error("banks", "each of the " + std::to_string(b.banks) + " banks would hold less than one " +
                         std::to_string(b.word_bits) + "-bit word");
  }
  r.finish();
  return b;
}

// buffers.global.serves: a non-empty list of distinct tensor names.
std::array<bool, 3> read_serves(MapReader& r) {
  std::array<bool, 3> serves{};
  const auto list = r.child("serves", true);
  if (!list) return serves;
  const std::vector<std::string> names = names_in(kTensorNames);
  if (!list->is_sequence() || list->size() == 0) {
    r.error("serves", "expected a non-empty list of the tensors the global buffer holds, from " +
                          config::join_alternatives(names) + ", e.g. [weight, input, output]");
    return serves;
  }
  for (std::size_t i = 0; i < list->size(); ++i) {
    const config::Value item = list->at(i);
    const std::string name = item.scalar();
    if (!item.is_scalar() || !spelled_in(kTensorNames, name)) {
      r.diagnostics().add(item.location(), item.path(),
                          "expected one of " + config::join_alternatives(names) + ", got '" + name + "'" +
                              config::did_you_mean(name, names));
      continue;
    }
    const auto slot = static_cast<std::size_t>(value_in(kTensorNames, name));
    if (serves[slot]) {
      r.diagnostics().add(item.location(), item.path(), "'" + name + "' is listed twice");
    } else {
      serves[slot] = true;
    }
  }
  return serves;
}

void read_buffers(MapReader& r, ArchSpec& arch) {
  if (const auto value = r.child("global", false)) {
    MapReader global(*value, r.diagnostics());
    arch.global_serves = read_serves(global);
    arch.global_buffer = read_buffer(global);
  }
  struct Slot {
    Tensor tensor;
    BufferSpec* spec;
  };
  for (const Slot& slot : {Slot{Tensor::Weight, &arch.weight_buffer}, Slot{Tensor::Input, &arch.input_buffer},
                           Slot{Tensor::Output, &arch.output_buffer}}) {
    const std::string key(to_string(slot.tensor));
    if (arch.served_by_global(slot.tensor)) {
      if (r.has(key)) {
        r.child(key, false);
        r.error(key, "the " + key + " tensor is held by buffers.global (its serves list); remove buffers." +
                         key + " or take " + key + " out of serves");
      }
      *slot.spec = arch.global_buffer;
    } else if (const auto value = r.child(key, true)) {
      MapReader buffer(*value, r.diagnostics());
      *slot.spec = read_buffer(buffer);
    }
  }
  r.finish();
}

// Keys of the earlier DRAM model and what replaces them.
struct RemovedKey {
  const char* key;
  const char* instead;
};
constexpr RemovedKey kRemovedDramKeys[] = {
    {"bandwidth_gb_per_s", "the bandwidth follows from the device: channels x bus_bits / 8 x 2 / tck_ns; set channels (or another device)"},
    {"banks", "set bank_groups and banks_per_group"},
    {"row_buffer_bytes", "set page_bytes"},
    {"burst_bytes", "a burst is bus_bits / 8 x burst_length bytes; set those"},
    {"t_rcd_ns", "timings are in tCK cycles: set timing.rcd"},
    {"t_rp_ns", "timings are in tCK cycles: set timing.rp"},
    {"t_cas_ns", "timings are in tCK cycles: set timing.cl (reads) and timing.cwl (writes)"}};

void read_memory(MapReader& r, MemorySpec& memory, const std::string& models_dir) {
  memory.ideal = r.boolean("ideal", false);
  memory.fuse_layers = r.boolean("fuse_layers", true);
  memory.weights_resident = read_enum(r, "weights_resident", kWeightResidencyNames, WeightResidency::Auto);
  memory.weights_resident_location = r.location_of("weights_resident");
  if (const auto value = r.child("dram", true)) {
    MapReader d(*value, r.diagnostics());
    const std::string type = d.text("type");
    if (!type.empty()) {
      if (!find_dram_device(models_dir, type)) {
        const std::vector<std::string> names = dram_device_names(models_dir);
        d.error("type", "no DRAM device '" + type + "' in " + models_dir + "/dram (it has " +
                            config::join_alternatives(names) + ")" + config::did_you_mean(type, names));
      } else {
        memory.dram = load_dram_device(models_dir, type);
        for (const RemovedKey& k : kRemovedDramKeys) {
          if (d.has(k.key)) {
            d.child(k.key, false);
            d.error(k.key, std::string("no longer a setting: ") + k.instead);
          }
        }
        const double energy = memory.dram.energy_pj_per_bit;
        read_dram_fields(d, memory.dram, false);
        if (memory.dram.energy_pj_per_bit != energy)
          memory.dram.energy_source = "set in " + d.location_of("energy_pj_per_bit").to_string();
      }
    }
    d.finish();
  }
  r.finish();
}

}  // namespace

std::string_view to_string(Dataflow dataflow) { return name_in(kDataflowNames, dataflow); }
std::string_view to_string(MapperObjective objective) { return name_in(kMapperObjectiveNames, objective); }
std::string_view to_string(CostStyle style) { return name_in(kCostStyleNames, style); }
std::string_view to_string(Tensor tensor) { return name_in(kTensorNames, tensor); }
std::string_view to_string(WeightResidency residency) { return name_in(kWeightResidencyNames, residency); }

ArchSpec load_arch(const std::string& path, const std::vector<config::Override>& overrides,
                   const std::string& models_dir) {
  config::Document document = config::Document::load(path);
  document.apply(overrides);
  return parse_arch(document, models_dir);
}

ArchSpec parse_arch(const config::Document& document, const std::string& models_dir) {
  Diagnostics diagnostics;
  MapReader top(document.root(), diagnostics);
  ArchSpec arch;
  arch.source_file = document.file();
  arch.name = top.text("name");
  top.text("description", std::string{});
  arch.clock_ghz = top.number("clock_ghz", 0.0, 10.0, std::nullopt, true);
  arch.technology = top.text("technology", std::string("45nm"));
  arch.technology_location = config::Location{arch.source_file, 0, 0};
  if (const auto value = top.child("technology", false)) arch.technology_location = value->location();
  if (arch.technology.empty() ||
      arch.technology.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") !=
          std::string::npos ||
      arch.technology.front() == '.') {
    top.error("technology", "expected the name of a technology table in models/ (such as 45nm), got '" +
                                arch.technology + "'");
  }
  arch.cost_style = read_enum(top, "cost_style", kCostStyleNames, CostStyle::Absolute);
  if (const auto pe = top.child("pe_array", true)) {
    MapReader r(*pe, diagnostics);
    read_pe_array(r, arch.pe_array);
  }
  if (const auto buffers = top.child("buffers", true)) {
    MapReader r(*buffers, diagnostics);
    read_buffers(r, arch);
  }
  if (const auto memory = top.child("memory", true)) {
    MapReader r(*memory, diagnostics);
    read_memory(r, arch.memory, models_dir);
  }
  if (const auto mapper = top.child("mapper", false)) {
    MapReader r(*mapper, diagnostics);
    arch.mapper.objective = read_enum(r, "objective", kMapperObjectiveNames, MapperObjective::Cycles);
    r.finish();
  }
  top.finish();
  diagnostics.throw_if_any();
  return arch;
}

}  // namespace qarch::arch
