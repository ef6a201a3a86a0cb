// Pricing: absolute and normalized energies by hand, the explain table's arithmetic, leakage,
// throughput figures, and every preset giving a complete model.

#include <gtest/gtest.h>

#include <random>
#include <regex>
#include <sstream>

#include "cost/layer_cost.hpp"
#include "cost_test_support.hpp"

namespace qarch::cost {
namespace {

using testing::preset;
using testing::preset_model;

LayerActions some_actions() {
  LayerActions a;
  a.macs = 1000;
  a.gated_macs = 100;
  a.rf(Store::Weight).read_bits = 8000;
  a.rf(Store::Output).write_bits = 32000;
  a.array_bits = 16000;
  a.buffer(Store::Input).read_bits = 6400;
  a.buffer(Store::Input).write_bits = 640;
  a.dram_read_bytes = 100;
  a.dram_write_bytes = 28;
  a.cycles = 500;
  return a;
}

// int8 preset (45 nm): each component by hand from models/45nm.yaml.
TEST(LayerCost, AbsoluteEnergyByHand) {
  const CostModel m = preset_model("int8");
  const LayerCost c = layer_cost(some_actions(), m);
  const double mac = 0.0030 * 64 + 0.001 * 16 + 0.0067 + 0.0029 * 32;
  EXPECT_NEAR(c.energy_pj.at("mac"), 900 * mac, 1e-9);  // gated MACs cost 0 (fraction 0)
  EXPECT_NEAR(c.energy_pj.at("rf_weight"), 8000 * (0.009 + 0.00034), 1e-9);
  EXPECT_NEAR(c.energy_pj.at("rf_output"), 32000 * (0.009 + 0.00034), 1e-9);
  EXPECT_NEAR(c.energy_pj.at("array"), 16000 * 0.0003 * m.pe_pitch_um, 1e-9);
  // Input buffer: 256 KiB in 8 banks of 32 KiB: 0.012 + 0.144 sqrt(4) pJ/bit read.
  const double read = 0.012 + 0.144 * 2;
  EXPECT_NEAR(c.energy_pj.at("buffer_input"), 6400 * read + 640 * 0.778 * read, 1e-9);
  EXPECT_NEAR(c.energy_pj.at("dram"), 128 * 8 * 8.0, 1e-9);  // LPDDR4, 8 pJ/bit
  EXPECT_NEAR(c.energy_pj.at("leakage"), 500 * m.leakage_mw / 0.7, 1e-9);
  EXPECT_NEAR(m.leakage_mw, 5.0 * m.area.total_mm2(), 1e-12);
  double sum = 0;
  for (const auto& [component, pj] : c.energy_pj) sum += pj;
  EXPECT_NEAR(c.total_pj, sum, 1e-6);
  EXPECT_NEAR(c.on_chip_pj(), sum - c.energy_pj.at("dram"), 1e-6);
  for (const char* k : {"mac", "vector", "rf_weight", "rf_input", "rf_output", "array", "buffer_weight",
                        "buffer_input", "buffer_output", "dram", "leakage"}) {
    EXPECT_TRUE(c.energy_pj.count(k)) << k;
  }
}

// Eyeriss's hierarchy: 1 unit per MAC and per 16-bit RF access, 2 per array hop, 6 per buffer
// access, 200 per DRAM access; no leakage.
TEST(LayerCost, NormalizedEnergyByHand) {
  const CostModel m = preset_model("eyeriss");
  ASSERT_EQ(m.style, arch::CostStyle::EyerissNormalized);
  LayerActions a = some_actions();
  a.weight_format = a.activation_format = numerics::Format::parse("fixed16_8");
  const LayerCost c = layer_cost(a, m);
  const double u = m.unit_pj;
  EXPECT_NEAR(c.energy_pj.at("mac"), 900 * u, 1e-6);
  EXPECT_NEAR(c.energy_pj.at("rf_weight"), 8000 / 16.0 * u, 1e-6);
  EXPECT_NEAR(c.energy_pj.at("rf_output"), 32000 / 16.0 * u, 1e-6);
  EXPECT_NEAR(c.energy_pj.at("array"), 16000 / 16.0 * 2 * u, 1e-6);
  EXPECT_NEAR(c.energy_pj.at("buffer_input"), (6400 + 640) / 16.0 * 6 * u, 1e-6);
  EXPECT_NEAR(c.energy_pj.at("dram"), 128 * 8 / 16.0 * 200 * u, 1e-6);
  EXPECT_EQ(c.energy_pj.at("leakage"), 0.0);
  // One unit is one MAC of the PE's formats at the table's technology.
  EXPECT_NEAR(u, mac_cost(m, {a.weight_format, a.activation_format, numerics::Format::parse("fixed32_16"),
                              numerics::MultiplierStyle::parse("exact")}).energy_pj, 1e-12);
}

// explain(): every line's count x price equals its energy, the per-component totals and the
// layer total are the sums, and they agree with layer_cost().
TEST(LayerCost, ExplainTableAddsUp) {
  const CostModel m = preset_model("int8");
  const LayerActions a = some_actions();
  const std::string text = explain(a, m, "conv1");
  const LayerCost c = layer_cost(a, m);
  std::istringstream in(text);
  std::string line;
  const std::regex row(R"(^(\S+)\s+.+?\s+(\d+) x (\S+)\s+=\s+(\S+)\s)");
  int rows = 0;
  std::map<std::string, double> sums;
  while (std::getline(in, line)) {
    std::smatch s;
    if (!std::regex_search(line, s, row)) continue;
    ++rows;
    const double count = std::stod(s[2]), each = std::stod(s[3]), energy = std::stod(s[4]);
    EXPECT_NEAR(count * each, energy, 1e-5 * std::max(1.0, energy)) << line;
    sums[s[1]] += energy;
  }
  EXPECT_EQ(rows, static_cast<int>(price(a, m).size()));
  for (const auto& [component, pj] : c.energy_pj) EXPECT_NEAR(sums[component], pj, 1e-5 * std::max(1.0, pj)) << component;
  EXPECT_NE(text.find("conv1: int8, 45nm"), std::string::npos) << text;
  char total[64];
  std::snprintf(total, sizeof total, "%.6g pJ", c.total_pj);
  EXPECT_NE(text.find(total), std::string::npos) << text;
}

TEST(LayerCost, ThroughputFigures) {
  const CostModel m = preset_model("int8");  // 32 x 32 at 0.7 GHz
  EXPECT_DOUBLE_EQ(peak_tops(m.arch), 2 * 1024 * 0.7e9 / 1e12);
  EXPECT_DOUBLE_EQ(tops_per_w(1000, 2000.0), 1.0);  // 2000 op / 2000 pJ = 1 op/pJ = 1 TOPS/W
  EXPECT_DOUBLE_EQ(tops_per_w(1000, 0.0), 0.0);
  EXPECT_DOUBLE_EQ(tops_per_mm2(m), peak_tops(m.arch) / m.area.total_mm2());
  EXPECT_DOUBLE_EQ(power_mw(700.0, 100, m), 4.9);  // 7 pJ per cycle at 0.7 GHz
}

TEST(LayerCost, AreaComponentsAddUpAndScaleWithThePeArray) {
  const CostModel m = preset_model("int8");
  double sum = 0;
  for (const auto& [component, um2] : m.area.area_um2) {
    EXPECT_GE(um2, 0) << component;
    sum += um2;
  }
  EXPECT_NEAR(m.area.total_um2, sum, 1e-6 * sum);
  EXPECT_NEAR(m.area.area_um2.at("layout"), (sum - m.area.area_um2.at("layout")) * (1 / 0.7 - 1), 1e-6 * sum);
  arch::ArchSpec bigger = preset("int8");
  bigger.pe_array.rows = 64;
  const CostModel b = load_cost_model(testing::models_dir(), bigger);
  EXPECT_NEAR(b.area.area_um2.at("mac"), 2 * m.area.area_um2.at("mac"), 1e-6);
  EXPECT_NEAR(b.area.area_um2.at("buffer_weight"), m.area.area_um2.at("buffer_weight"), 1e-6);
}

TEST(LayerCost, EveryPresetHasACompleteModel) {
  for (const char* name : {"tpu-like", "eyeriss", "diannao", "int8", "fp32", "bf16", "fp16", "fp8", "int4",
                           "posit8-plam", "posit8-exact", "pow2-shift-add", "binary-xnor", "mitchell-w6"}) {
    const CostModel m = preset_model(name);
    EXPECT_GT(m.area.total_mm2(), 0.1) << name;
    EXPECT_GT(m.unit_pj, 0) << name;
    EXPECT_GT(m.leakage_mw, 0) << name;
  }
}

// energy_pj() with unit_prices() (what the mapper prices candidates with) is the bill's total,
// for random counts on every preset in both cost styles.
TEST(LayerCost, UnitPricesGiveTheBillsTotal) {
  std::mt19937_64 rng(5);
  const auto count = [&] { return static_cast<std::int64_t>(rng() % 1000000); };
  for (const char* name : {"tpu-like", "eyeriss", "diannao", "fp32", "bf16", "fp8", "int4", "posit8-plam",
                           "pow2-shift-add", "binary-xnor", "mitchell-w6"}) {
    for (const arch::CostStyle style : {arch::CostStyle::Absolute, arch::CostStyle::EyerissNormalized}) {
      arch::ArchSpec a = preset(name);
      a.cost_style = style;
      const CostModel m = load_cost_model(testing::models_dir(), a);
      for (int i = 0; i < 20; ++i) {
        LayerActions x = some_actions();
        x.weight_format = a.pe_array.weight_format;
        x.activation_format = a.pe_array.activation_format;
        x.accumulator_format = a.pe_array.accumulator_format;
        x.multiplier = a.pe_array.multiplier;
        x.macs = count();
        x.gated_macs = x.macs / 3;
        x.vector_ops = count();
        for (const Store st : kStores) {
          x.rf(st) = {count(), count()};
          x.buffer(st) = {count(), count()};
        }
        x.array_bits = count();
        x.dram_read_bytes = count();
        x.dram_write_bytes = count();
        x.cycles = count();
        const double bill = layer_cost(x, m).total_pj;
        EXPECT_NEAR(energy_pj(x, unit_prices(x, m)), bill, 1e-12 * bill) << name;
      }
    }
  }
}

TEST(LayerCost, ATableErrorReachesTheCaller) {
  arch::ArchSpec a = preset("int8");
  a.technology = "7nm";
  EXPECT_THROW(load_cost_model(testing::models_dir(), a), config::InputError);
}

}  // namespace
}  // namespace qarch::cost
