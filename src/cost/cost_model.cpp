#include "cost/cost_model.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <iomanip>
#include <sstream>

#include "config/suggest.hpp"
#include "cost/block_dot_cost.hpp"
#include "cost/blocks.hpp"
#include "cost/special_functions.hpp"

namespace qarch::cost {

namespace {

std::string num(double v) {
  std::ostringstream out;
  out << std::setprecision(4) << v;
  return out.str();
}

MacOperands layer_operands(const arch::ArchSpec& arch, const arch::LayerFormats& f) {
  const arch::PeArraySpec& pe = arch.pe_array;
  MacOperands m{f.weight, f.activation, f.accumulator, f.multiplier};
  m.scaling = pe.precision_scaling;
  m.serial = pe.serial_operand;
  m.pe_weight_bits = pe.weight_format.bits();
  m.pe_activation_bits = pe.activation_format.bits();
  return m;
}

MacOperands pe_operands(const arch::ArchSpec& arch) {
  const arch::PeArraySpec& pe = arch.pe_array;
  return layer_operands(arch, {pe.weight_format, pe.activation_format, pe.accumulator_format, pe.multiplier});
}

const arch::BufferSpec& buffer_of(const arch::ArchSpec& arch, Store s) {
  switch (s) {
    case Store::Weight: return arch.weight_buffer;
    case Store::Input: return arch.input_buffer;
    case Store::Output: return arch.output_buffer;
  }
  return arch.weight_buffer;
}

// An element operation of the vector unit: one adder (compare, add) at the activation format.
BlockCost vector_op_cost(const Technology& t, const numerics::Format& f) {
  if (f.kind() == numerics::FormatKind::Float) return fp_adder(t, f.mantissa_bits());
  return int_adder(t, f.bits());
}

std::string operands_text(const MacOperands& m) {
  std::string text = m.style.to_string() + " " + m.weight.to_string() + " x " + m.activation.to_string() +
                     " -> " + m.accumulator.to_string();
  if (m.scaling != arch::PrecisionScaling::BitParallel) {
    text += " on a " + std::string(arch::to_string(m.scaling)) + " PE of " + std::to_string(m.pe_weight_bits) + "x" +
            std::to_string(m.pe_activation_bits) + " bits";
    if (m.scaling == arch::PrecisionScaling::BitSerial) text += ", " + std::string(arch::to_string(m.serial)) + " serial";
  }
  return text;
}

std::string component(const char* prefix, Store s) { return std::string(prefix) + to_string(s); }

AreaReport make_area(const CostModel& m) {
  const Technology& t = m.tech;
  const arch::ArchSpec& arch = m.arch;
  const double pes = static_cast<double>(arch.pe_array.rows) * arch.pe_array.cols;
  AreaReport r;
  r.area_um2["mac"] = pes * mac_cost(m, pe_operands(arch)).area_um2;
  for (Store s : kStores) {
    const int i = static_cast<int>(s);
    r.area_um2[component("rf_", s)] = pes * register_file_area_um2(t, m.rf_entries[i], m.rf_word_bits[i]);
    // A tensor held by the global buffer has no SRAM of its own: the global buffer is one macro.
    if (!arch.served_by_global(static_cast<arch::Tensor>(i)))
      r.area_um2[component("buffer_", s)] = sram_area_um2(t, buffer_of(arch, s));
  }
  if (arch.has_global_buffer()) r.area_um2["buffer_global"] = sram_area_um2(t, arch.global_buffer);
  r.area_um2["vector"] = arch.pe_array.cols * vector_op_cost(t, arch.pe_array.activation_format).area_um2;
  double blocks = 0;
  for (const auto& entry : r.area_um2) blocks += entry.second;
  // Placement density below 1: the rest of the layout is routing, clock tree, filler.
  r.area_um2["layout"] = blocks * (1.0 / t.at("layout", "cell_utilization") - 1.0);
  for (const auto& entry : r.area_um2) r.total_um2 += entry.second;
  return r;
}

}  // namespace

BlockCost mac_cost(const CostModel& model, const MacOperands& mac) {
  BlockCost c = cost::mac_cost(model.multipliers, model.tech, mac);
  c.energy_pj *= model.dynamic_factor;
  return c;
}

CostModel make_cost_model(const Technology& tech, const arch::ArchSpec& arch) {
  CostModel m;
  m.arch = arch;
  m.tech = tech;
  m.style = arch.cost_style;
  register_builtins(m.multipliers);
  m.dynamic_factor = tech.at("calibration", "dynamic_factor");
  const arch::PeArraySpec& pe = arch.pe_array;
  const arch::RegisterFileSpec* rfs[3] = {&pe.weight_rf, &pe.input_rf, &pe.output_rf};
  const int widths[3] = {pe.weight_format.bits(), pe.activation_format.bits(), pe.accumulator_format.bits()};
  for (int i = 0; i < 3; ++i) {
    m.rf_entries[i] = std::max(1, rfs[i]->entries);
    m.rf_word_bits[i] = rfs[i]->word_bits > 0 ? rfs[i]->word_bits : widths[i];
  }
  const MacOperands ops = pe_operands(arch);
  m.unit_pj = mac_cost(m, ops).energy_pj;
  double pe_area = mac_cost(m, ops).area_um2;
  for (int i = 0; i < 3; ++i) pe_area += register_file_area_um2(tech, m.rf_entries[i], m.rf_word_bits[i]);
  m.pe_pitch_um = std::sqrt(pe_area / tech.at("layout", "cell_utilization"));
  m.area = make_area(m);
  double array_area = m.area.area_um2.at("mac");
  for (Store s : kStores) array_area += m.area.area_um2.at(component("rf_", s));
  m.array_area_share = m.area.total_um2 > 0 ? array_area / m.area.total_um2 * (1.0 / tech.at("layout", "cell_utilization"))
                                            : 0;
  m.leakage_mw = tech.at("leakage", "power_mw_per_mm2") * m.area.total_mm2();
  return m;
}

std::vector<std::string> technology_names(const std::string& models_dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(models_dir, ec)) {
    if (entry.path().extension() == ".yaml") names.push_back(entry.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

CostModel load_cost_model(const std::string& models_dir, const arch::ArchSpec& arch) {
  if (!std::filesystem::is_regular_file(std::filesystem::path(models_dir) / (arch.technology + ".yaml"))) {
    const std::vector<std::string> names = technology_names(models_dir);
    throw config::InputError(config::Diagnostic{
        arch.technology_location, "technology",
        "no technology table '" + arch.technology + "' in " + models_dir +
            (names.empty() ? std::string(" (it has none)")
                           : " (it has " + config::join_alternatives(names) + ")") +
            config::did_you_mean(arch.technology, names)});
  }
  return make_cost_model(load_technology(models_dir, arch.technology), arch);
}

namespace {

// The PE array at a supply `ratio` times the nominal one: dynamic energy x ratio^2, its share of
// the leakage x ratio.
void scale_array_supply(UnitPrices& p, const CostModel& m, double ratio) {
  if (ratio == 1.0) return;
  const double dynamic = ratio * ratio;
  p.mac *= dynamic;
  p.gated_mac *= dynamic;
  for (double& rf : p.rf_bit) rf *= dynamic;
  p.array_bit_hop *= dynamic;
  p.leakage_cycle *= 1.0 - m.array_area_share + m.array_area_share * ratio;
}

UnitPrices nominal_prices(const arch::LayerFormats& f, const CostModel& m, const std::string& vector_function,
                          std::int64_t vector_row) {
  const Technology& t = m.tech;
  const double gated_fraction = t.at("gated_mac", "fraction_of_mac");
  UnitPrices p;
  if (m.style == arch::CostStyle::EyerissNormalized) {
    // Eyeriss's hierarchy: units per access of one operand word (ref_bits), 1 unit = one MAC.
    const double ref_bits = std::max(f.weight.bits(), f.activation.bits());
    const auto units = [&](const char* key) { return t.at("normalized", key); };
    const auto per_bit = [&](const char* key) { return units(key) * m.unit_pj / ref_bits; };
    p.mac = units("alu") * m.unit_pj;
    p.gated_mac = gated_fraction * p.mac;
    p.vector_op = p.mac;
    p.rf_bit.fill(per_bit("register_file"));
    p.array_bit_hop = per_bit("array");
    p.buffer_read_bit.fill(per_bit("buffer"));
    p.buffer_write_bit.fill(per_bit("buffer"));
    p.dram_bit = per_bit("dram");
    p.leakage_cycle = 0;  // not part of the normalized hierarchy
    return p;
  }
  const double k = m.dynamic_factor;
  p.mac = k * cost::mac_cost(m.multipliers, t, layer_operands(m.arch, f)).energy_pj;
  p.gated_mac = gated_fraction * p.mac;
  const std::optional<FunctionOps> special = special_function_ops(vector_function, vector_row);
  p.vector_op = k * (special ? special_function_cost(t, *special, m.arch.pe_array.special_function_format)
                             : vector_op_cost(t, f.activation))
                        .energy_pj;
  for (Store s : kStores) {
    const int i = static_cast<int>(s);
    p.rf_bit[i] = k * register_file_pj_per_bit(t, m.rf_entries[i]);
    p.buffer_read_bit[i] = k * sram_read_pj_per_bit(t, buffer_of(m.arch, s));
    p.buffer_write_bit[i] = k * sram_write_pj_per_bit(t, buffer_of(m.arch, s));
  }
  p.array_bit_hop = k * wire_pj_per_bit(t, m.pe_pitch_um);
  p.dram_bit = m.arch.memory.dram.energy_pj_per_bit;  // the device's (models/dram/)
  p.leakage_cycle = m.leakage_mw / m.arch.clock_ghz;
  return p;
}

}  // namespace

UnitPrices unit_prices(const arch::LayerFormats& f, const CostModel& m, const std::string& vector_function,
                       std::int64_t vector_row, double array_voltage_ratio) {
  UnitPrices p = nominal_prices(f, m, vector_function, vector_row);
  scale_array_supply(p, m, array_voltage_ratio);
  return p;
}

double energy_pj(const LayerActions& a, const UnitPrices& p) {
  const auto d = [](std::int64_t v) { return static_cast<double>(v); };
  double e = d(a.macs - a.gated_macs) * p.mac + d(a.gated_macs) * p.gated_mac + d(a.vector_ops) * p.vector_op +
             d(a.array_bits) * p.array_bit_hop + 8.0 * d(a.dram_read_bytes + a.dram_write_bytes) * p.dram_bit +
             d(a.cycles) * p.leakage_cycle;
  for (Store s : kStores) {
    const int i = static_cast<int>(s);
    e += d(a.rf(s).read_bits + a.rf(s).write_bits) * p.rf_bit[i] + d(a.buffer(s).read_bits) * p.buffer_read_bit[i] +
         d(a.buffer(s).write_bits) * p.buffer_write_bit[i];
  }
  return e;
}

std::vector<PricedAction> price(const LayerActions& a, const CostModel& m) {
  const Technology& t = m.tech;
  const UnitPrices p = unit_prices(a, m);
  const double gated_fraction = t.at("gated_mac", "fraction_of_mac");
  const double macs = static_cast<double>(a.macs - a.gated_macs);
  const double gated = static_cast<double>(a.gated_macs);
  const double dram_bits = 8.0 * static_cast<double>(a.dram_read_bytes + a.dram_write_bytes);
  std::vector<PricedAction> bill;

  if (m.style == arch::CostStyle::EyerissNormalized) {
    const double ref_bits = std::max(a.weight_format.bits(), a.activation_format.bits());
    const auto units = [&](const char* key) { return t.at("normalized", key); };
    const std::string per = " units per " + num(ref_bits) + "-bit access x " + num(m.unit_pj) + " pJ/unit";
    const std::string src = " (" + t.source("normalized") + ")";
    bill.push_back({"mac", "MACs", macs, p.mac, num(units("alu")) + " unit x " + num(m.unit_pj) + " pJ/unit" + src});
    bill.push_back({"mac", "gated MACs", gated, p.gated_mac, "gated_mac fraction " + num(gated_fraction)});
    bill.push_back({"vector", "element ops", static_cast<double>(a.vector_ops), p.vector_op, "ALU"});
    for (Store s : kStores) {
      const StoreTraffic& rf = a.rf(s);
      const double e = p.rf_bit[static_cast<int>(s)];
      bill.push_back({component("rf_", s), "read bits", static_cast<double>(rf.read_bits), e, num(units("register_file")) + per});
      bill.push_back({component("rf_", s), "write bits", static_cast<double>(rf.write_bits), e, num(units("register_file")) + per});
    }
    bill.push_back({"array", "bit hops", static_cast<double>(a.array_bits), p.array_bit_hop, num(units("array")) + per});
    for (Store s : kStores) {
      const StoreTraffic& b = a.buffer(s);
      const int i = static_cast<int>(s);
      bill.push_back({component("buffer_", s), "read bits", static_cast<double>(b.read_bits), p.buffer_read_bit[i], num(units("buffer")) + per});
      bill.push_back({component("buffer_", s), "write bits", static_cast<double>(b.write_bits), p.buffer_write_bit[i], num(units("buffer")) + per});
    }
    bill.push_back({"dram", "bits", dram_bits, p.dram_bit, num(units("dram")) + per});
    bill.push_back({"leakage", "cycles", static_cast<double>(a.cycles), p.leakage_cycle, "not part of the normalized hierarchy"});
    return bill;
  }

  const double k = m.dynamic_factor;
  const std::string cal = k == 1.0 ? "" : " x calibration " + num(k);
  const double r = a.array_voltage_ratio;
  const std::string supply = r == 1.0 ? "" : " x (supply " + num(r) + " of nominal)^2";
  const MacOperands ops = layer_operands(m.arch, a.formats());
  if (ops.style.kind() == numerics::MultiplierKind::BlockDot) {
    // The unit's parts, each counted per MAC or per block; their prices add up to p.mac.
    for (const DotPart& part : block_dot_parts(t, ops)) {
      bill.push_back({"mac", part.action, macs * part.per_mac, k * part.cost.energy_pj * r * r,
                      part.basis + " (" + t.name + " blocks)" + cal + supply});
    }
  } else {
    bill.push_back({"mac", "MACs", macs, p.mac, operands_text(ops) + " (" + t.name + " blocks)" + cal + supply});
  }
  bill.push_back({"mac", "gated MACs", gated, p.gated_mac, "gated_mac fraction " + num(gated_fraction) + " of a MAC"});
  const std::optional<FunctionOps> special = special_function_ops(a.vector_function, a.vector_row);
  bill.push_back({"vector", "element ops", static_cast<double>(a.vector_ops), p.vector_op,
                  (special ? a.vector_function + " per element read: " + num(special->add) + " add, " +
                                 num(special->multiply) + " mul, " + num(special->exp) + " exp, " +
                                 num(special->reciprocal) + " reciprocal, " + num(special->rsqrt) + " rsqrt in " +
                                 m.arch.pe_array.special_function_format.to_string()
                           : "adder at " + a.activation_format.to_string()) +
                      cal});
  for (Store s : kStores) {
    const int i = static_cast<int>(s);
    const std::string basis = "register file, " + num(m.rf_entries[i]) + " entries" + cal + supply;
    bill.push_back({component("rf_", s), "read bits", static_cast<double>(a.rf(s).read_bits), p.rf_bit[i], basis});
    bill.push_back({component("rf_", s), "write bits", static_cast<double>(a.rf(s).write_bits), p.rf_bit[i], basis});
  }
  bill.push_back({"array", "bit hops", static_cast<double>(a.array_bits), p.array_bit_hop,
                  "wire over one PE pitch of " + num(m.pe_pitch_um) + " um" + cal + supply});
  for (Store s : kStores) {
    const int i = static_cast<int>(s);
    const arch::BufferSpec& b = buffer_of(m.arch, s);
    const std::string basis = "SRAM " + num(b.size_kib) + " KiB in " + num(b.banks) + " banks, " +
                              num(b.word_bits) + "-bit words" + cal;
    bill.push_back({component("buffer_", s), "read bits", static_cast<double>(a.buffer(s).read_bits), p.buffer_read_bit[i], basis});
    bill.push_back({component("buffer_", s), "write bits", static_cast<double>(a.buffer(s).write_bits), p.buffer_write_bit[i], basis});
  }
  const arch::DramSpec& dram = m.arch.memory.dram;
  bill.push_back({"dram", "bits", dram_bits, p.dram_bit, dram.device + " (" + dram.energy_source + ")"});
  bill.push_back({"leakage", "cycles", static_cast<double>(a.cycles), p.leakage_cycle,
                  num(m.leakage_mw) + " mW at " + num(m.arch.clock_ghz) + " GHz" +
                      (r == 1.0 ? "" : ", the PE array's " + num(100 * m.array_area_share) + " % at supply " + num(r) +
                                           " of nominal")});
  return bill;
}

}  // namespace qarch::cost
