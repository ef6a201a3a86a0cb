// The technology tables: every entry cites a source, the fits reproduce the published figures
// they were fitted to (energy.md), the 65 nm table is the scaled 45 nm one except its own
// entries, and table errors carry file:line:column.

#include <gtest/gtest.h>

#include <regex>

#include "cost/blocks.hpp"
#include "cost/technology.hpp"
#include "cost_test_support.hpp"
#include "support/diagnostics.hpp"

namespace qarch::cost {
namespace {

using testing::models_dir;

// |actual / expected - 1| <= tolerance.
void expect_near_rel(double actual, double expected, double tolerance, const std::string& what) {
  EXPECT_NEAR(actual / expected, 1.0, tolerance) << what << ": got " << actual << ", published " << expected;
}

TEST(Technology, EveryEntryOfEveryTableCitesASource) {
  for (const char* name : {"45nm", "65nm"}) {
    const Technology t = load_technology(models_dir(), name);
    EXPECT_EQ(t.name, name);
    for (const EntrySchema& schema : technology_schema()) {
      ASSERT_TRUE(t.entries.count(schema.name)) << name << " " << schema.name;
      EXPECT_GE(t.source(schema.name).size(), 10u) << name << " " << schema.name;
    }
  }
}

// Horowitz ISSCC 2014, 45 nm (energy.md s1): the block formulas at the published widths.
TEST(Technology, FortyFiveNanometreFitsReproduceHorowitz) {
  const Technology t = load_technology(models_dir(), "45nm");
  expect_near_rel(int_multiplier(t, 8, 8).energy_pj, 0.2, 0.05, "8-bit multiply pJ");
  expect_near_rel(int_multiplier(t, 32, 32).energy_pj, 3.1, 0.02, "32-bit multiply pJ");
  expect_near_rel(int_multiplier(t, 8, 8).area_um2, 282, 0.12, "8-bit multiply um2");
  expect_near_rel(int_multiplier(t, 32, 32).area_um2, 3495, 0.02, "32-bit multiply um2");
  expect_near_rel(int_adder(t, 8).energy_pj, 0.03, 0.02, "8-bit add pJ");
  expect_near_rel(int_adder(t, 16).energy_pj, 0.05, 0.07, "16-bit add pJ");
  expect_near_rel(int_adder(t, 32).energy_pj, 0.1, 0.01, "32-bit add pJ");
  expect_near_rel(int_adder(t, 32).area_um2, 137, 0.01, "32-bit add um2");
  expect_near_rel(fp_multiplier(t, 5, 10).energy_pj, 1.1, 0.01, "fp16 multiply pJ");
  expect_near_rel(fp_multiplier(t, 8, 23).energy_pj, 3.7, 0.01, "fp32 multiply pJ");
  expect_near_rel(fp_multiplier(t, 8, 23).area_um2, 7700, 0.01, "fp32 multiply um2");
  expect_near_rel(fp_adder(t, 10).energy_pj, 0.4, 0.04, "fp16 add pJ");
  expect_near_rel(fp_adder(t, 23).energy_pj, 0.9, 0.01, "fp32 add pJ");
  expect_near_rel(fp_adder(t, 23).area_um2, 4184, 0.03, "fp32 add um2");
  // 64-bit SRAM reads of one bank of 8 KB, 32 KB and 1 MB: 10, 20, 100 pJ.
  for (const auto& [kib, pj] : {std::pair{8.0, 10.0}, {32.0, 20.0}, {1024.0, 100.0}}) {
    arch::BufferSpec b;
    b.size_kib = kib;
    b.banks = 1;
    expect_near_rel(64 * sram_read_pj_per_bit(t, b), pj, 0.07, std::to_string(kib) + " KiB SRAM read");
  }
  // DRAM per bit (energy.md s5) is the device's (models/dram/): a 64-bit LPDDR4 access is 512 pJ.
  EXPECT_DOUBLE_EQ(64 * arch::load_dram_device(models_dir(), "lpddr4-3200").energy_pj_per_bit, 512.0);
  EXPECT_DOUBLE_EQ(arch::load_dram_device(models_dir(), "hbm2").energy_pj_per_bit, 3.9);
}

TEST(Technology, SixtyFiveNanometreIsScaledExceptItsOwnEntries) {
  const Technology t45 = load_technology(models_dir(), "45nm");
  const Technology t65 = load_technology(models_dir(), "65nm");
  EXPECT_DOUBLE_EQ(int_multiplier(t65, 16, 16).energy_pj, 1.818 * int_multiplier(t45, 16, 16).energy_pj);
  EXPECT_DOUBLE_EQ(int_multiplier(t65, 16, 16).area_um2, 1.5 * int_multiplier(t45, 16, 16).area_um2);
  EXPECT_DOUBLE_EQ(fp_adder(t65, 23).energy_pj, 1.818 * fp_adder(t45, 23).energy_pj);
  EXPECT_NE(t65.source("int_adder").find("scaled from 45nm"), std::string::npos);
  // Off-chip and per-node entries are not scaled.
  EXPECT_DOUBLE_EQ(t65.at("normalized", "dram"), 200.0);
  // Its own entries reproduce Accelergy's eyeriss_like 65 nm ERT (energy.md s7).
  expect_near_rel(16 * register_file_pj_per_bit(t65, 12), 0.202, 0.01, "ifmap RF 12x16b read");
  expect_near_rel(16 * register_file_pj_per_bit(t65, 192), 1.977, 0.01, "weight RF 192x16b read");
  expect_near_rel(16 * register_file_pj_per_bit(t65, 16), 0.251, 0.05, "psum RF 16x16b read");
  arch::BufferSpec glb;
  glb.size_kib = 128;
  glb.banks = 32;
  expect_near_rel(64 * sram_read_pj_per_bit(t65, glb), 18.18, 0.01, "GLB 64-bit read");
  expect_near_rel(64 * sram_write_pj_per_bit(t65, glb), 14.14, 0.01, "GLB 64-bit write");
}

const std::string kTinyTable = R"(name: tiny
int_multiplier: {energy_ab: 1, energy_a_plus_b: 0, area_ab: 1, area_a_plus_b: 0, source: test}
)";

TEST(Technology, ErrorsNameFileLineAndKey) {
  const std::string dir = testing::scratch_models("errors", {{"tiny", kTinyTable}});
  const auto messages = qarch::testing::diagnostics_of([&] { load_technology(dir, "tiny"); });
  ASSERT_FALSE(messages.empty());
  // A missing entry is reported against the file; every message says where.
  bool missing_adder = false;
  for (const std::string& m : messages) {
    EXPECT_NE(m.find("tiny.yaml"), std::string::npos) << m;
    if (m.find("int_adder") != std::string::npos) missing_adder = true;
  }
  EXPECT_TRUE(missing_adder);
}

TEST(Technology, AnEntryWithoutSourceOrWithANegativeNumberIsRejected) {
  std::string table = testing::read_file(models_dir() + "/45nm.yaml");
  ASSERT_FALSE(table.empty());
  table = std::regex_replace(table, std::regex("name: 45nm"), "name: bad");
  // Drop the source of the adder and make a coefficient negative.
  table = std::regex_replace(table, std::regex("  energy_fixed: 0.0067"), "  energy_fixed: -1");
  const std::string dir = testing::scratch_models("bad", {{"bad", table}});
  const auto messages = qarch::testing::diagnostics_of([&] { load_technology(dir, "bad"); });
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_TRUE(std::regex_search(messages[0], std::regex(R"(bad\.yaml:\d+:\d+: int_adder\.energy_fixed)")))
      << messages[0];
}

TEST(Technology, AMissingSourceIsRejected) {
  std::string table = testing::read_file(models_dir() + "/45nm.yaml");
  table = std::regex_replace(table, std::regex("name: 45nm"), "name: nosource");
  table = std::regex_replace(table, std::regex("  source: \"B: Aladdin wire model[^\n]*\n"), "");
  const std::string dir = testing::scratch_models("nosource", {{"nosource", table}});
  const auto messages = qarch::testing::diagnostics_of([&] { load_technology(dir, "nosource"); });
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_NE(messages[0].find("wire.source"), std::string::npos) << messages[0];
}

}  // namespace
}  // namespace qarch::cost
