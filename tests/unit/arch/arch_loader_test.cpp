#include <gtest/gtest.h>

#include "arch/arch_spec.hpp"
#include "arch_test_support.hpp"

namespace qarch::arch {
namespace {

using testing::kValidArch;
using testing::load_problems;
using testing::replace;

bool any_contains(const std::vector<std::string>& texts, const std::string& part) {
  for (const auto& t : texts) {
    if (t.find(part) != std::string::npos) return true;
  }
  return false;
}

TEST(ArchLoader, ReadsEveryKeyAndAppliesDefaults) {
  const ArchSpec a = load_arch(testing::write_temp(kValidArch));
  EXPECT_EQ(a.name, "test");
  EXPECT_DOUBLE_EQ(a.clock_ghz, 1.0);
  EXPECT_EQ(a.technology, "45nm");
  EXPECT_EQ(a.pe_array.rows, 16);
  EXPECT_EQ(a.pe_array.cols, 8);
  EXPECT_EQ(a.pe_array.dataflow, Dataflow::OutputStationary);
  EXPECT_EQ(a.pe_array.weight_format.to_string(), "int8");
  EXPECT_EQ(a.pe_array.accumulator_format.to_string(), "int32");  // default for integer operands
  EXPECT_EQ(a.pe_array.multiplier.to_string(), "exact");
  EXPECT_EQ(a.weight_buffer.size_bytes(), 64 * 1024);
  EXPECT_EQ(a.weight_buffer.banks, 4);
  EXPECT_EQ(a.input_buffer.word_bits, 64);
  EXPECT_FALSE(a.output_buffer.double_buffered);
  EXPECT_FALSE(a.memory.ideal);
  const DramSpec ddr4 = load_dram_device(default_models_dir(), "ddr4-3200");
  EXPECT_EQ(a.memory.dram.device, "ddr4-3200");  // the YAML says ddr4: an alias
  EXPECT_DOUBLE_EQ(a.memory.dram.bandwidth_gb_per_s(), ddr4.bandwidth_gb_per_s());
  EXPECT_EQ(a.memory.dram.banks_per_rank(), 16);
}

TEST(ArchLoader, RegisterFilesZeroGatingAndCostStyle) {
  const ArchSpec plain = load_arch(testing::write_temp(kValidArch));
  EXPECT_EQ(plain.pe_array.weight_rf.entries, 1);
  EXPECT_EQ(plain.pe_array.weight_rf.word_bits, 0);  // the operand's width
  EXPECT_FALSE(plain.pe_array.zero_gating);
  EXPECT_EQ(plain.cost_style, CostStyle::Absolute);
  const std::string yaml =
      replace(replace(kValidArch, "  dataflow: os",
                      "  dataflow: rs\n  zero_gating: true\n  register_files:\n"
                      "    weight: {entries: 224, word_bits: 16}\n    output: {entries: 24}"),
              "clock_ghz: 1.0", "clock_ghz: 0.2\ncost_style: eyeriss_normalized\ntechnology: 65nm");
  const ArchSpec a = load_arch(testing::write_temp(yaml));
  EXPECT_EQ(a.pe_array.weight_rf.entries, 224);
  EXPECT_EQ(a.pe_array.weight_rf.word_bits, 16);
  EXPECT_EQ(a.pe_array.output_rf.entries, 24);
  EXPECT_EQ(a.pe_array.input_rf.entries, 1);
  EXPECT_TRUE(a.pe_array.zero_gating);
  EXPECT_EQ(a.cost_style, CostStyle::EyerissNormalized);
  EXPECT_EQ(a.technology, "65nm");
  EXPECT_TRUE(any_contains(load_problems(replace(yaml, "entries: 224", "entries: 0")),
                           "pe_array.register_files.weight.entries: out of range"));
  EXPECT_TRUE(any_contains(load_problems(replace(yaml, "    output: {entries: 24}", "    psum: {entries: 24}")),
                           "pe_array.register_files.psum: unknown key"));
}

TEST(ArchLoader, MapperObjectiveFromYamlOrSet) {
  EXPECT_EQ(load_arch(testing::write_temp(kValidArch)).mapper.objective, MapperObjective::Cycles);
  const std::string yaml = replace(kValidArch, "clock_ghz: 1.0", "clock_ghz: 1.0\nmapper: {objective: energy}");
  EXPECT_EQ(load_arch(testing::write_temp(yaml)).mapper.objective, MapperObjective::Energy);
  // --set creates the section when the file has none.
  EXPECT_EQ(load_arch(testing::write_temp(kValidArch), {config::Override::parse("mapper.objective=edp")})
                .mapper.objective,
            MapperObjective::Edp);
  EXPECT_TRUE(any_contains(load_problems(replace(yaml, "objective: energy", "objective: power")),
                           "arch.yaml:3:21: mapper.objective: expected one of cycles, energy or edp, got 'power'"));
  EXPECT_TRUE(any_contains(load_problems(replace(yaml, "objective: energy", "objectve: energy")),
                           "mapper.objectve: unknown key (did you mean 'objective'?)"));
  EXPECT_EQ(to_string(MapperObjective::Edp), "edp");
}

TEST(ArchLoader, FloatOperandsAccumulateInFp32ByDefault) {
  const std::string yaml = replace(replace(kValidArch, "weight_format: int8", "weight_format: bf16"),
                                   "activation_format: int8", "activation_format: bf16");
  EXPECT_EQ(load_arch(testing::write_temp(yaml)).pe_array.accumulator_format.to_string(), "fp32");
}

TEST(ArchLoader, DramDevicesFollowTheirInterfaces) {
  // Peak bandwidth = channels x bus bytes x 2 transfers per tCK (docs/config.md).
  const std::string dir = default_models_dir();
  EXPECT_NEAR(load_dram_device(dir, "ddr4-3200").bandwidth_gb_per_s(), 8 * 2 / 0.63, 1e-9);
  EXPECT_NEAR(load_dram_device(dir, "lpddr4-3200").bandwidth_gb_per_s(), 4 * 2 * 2 / 0.625, 1e-9);
  EXPECT_NEAR(load_dram_device(dir, "lpddr4-2400").bandwidth_gb_per_s(), 4 * 2 * 2 / 0.83, 1e-9);
  EXPECT_NEAR(load_dram_device(dir, "hbm2").bandwidth_gb_per_s(), 8 * 16 * 2 / 1.0, 1e-9);
  EXPECT_EQ(dram_device_names(dir), (std::vector<std::string>{"ddr4-3200", "hbm2", "lpddr4-2400", "lpddr4-3200"}));
  for (const std::string& name : dram_device_names(dir)) {
    const DramSpec d = load_dram_device(dir, name);
    EXPECT_LE(d.burst_bytes(), d.page_bytes) << name;
    EXPECT_GT(d.energy_pj_per_bit, 0) << name;
    EXPECT_FALSE(d.energy_source.empty()) << name;
  }
  EXPECT_EQ(load_dram_device(dir, "lpddr4").device, "lpddr4-3200");  // the old names are aliases
  EXPECT_EQ(load_dram_device(dir, "ddr4").device, "ddr4-3200");
}

// A refresh that comes due while a row opens closes it again: with rfc + rp + rcd + cl >= refi
// no access is ever served (the simulation ran forever; issue 23's audit).
TEST(ArchLoader, ARowMustBeReadableBetweenRefreshes) {
  const ArchSpec base = load_arch(testing::write_temp(kValidArch));
  const JedecTiming& x = base.memory.dram.timing;
  ASSERT_GT(x.refi, 0);
  const int widest = x.refi - x.rfc - x.rp - x.cl - 1;
  EXPECT_EQ(load_arch(testing::write_temp(kValidArch),
                      {config::Override::parse("memory.dram.timing.rcd=" + std::to_string(widest))})
                .memory.dram.timing.rcd,
            widest);
  const auto hang = load_problems(kValidArch, {"memory.dram.timing.rcd=" + std::to_string(widest + 1)});
  ASSERT_EQ(hang.size(), 1u);
  EXPECT_NE(hang[0].find("memory.dram.timing.refi: the refresh interval (" + std::to_string(x.refi) +
                         " tCK) must exceed a refresh and one access after it"),
            std::string::npos)
      << hang[0];
}

TEST(ArchLoader, DramKeysOverrideTheDeviceAndOldKeysSayWhatReplacedThem) {
  const ArchSpec a = load_arch(testing::write_temp(kValidArch),
                               {config::Override::parse("memory.dram.channels=2"),
                                config::Override::parse("memory.dram.timing.rcd=30"),
                                config::Override::parse("memory.dram.page_policy=closed")});
  EXPECT_EQ(a.memory.dram.channels, 2);
  EXPECT_EQ(a.memory.dram.timing.rcd, 30);
  EXPECT_EQ(a.memory.dram.timing.rp, 22);  // the device's
  EXPECT_FALSE(a.memory.dram.open_page);
  const auto old = load_problems(kValidArch, {"memory.dram.bandwidth_gb_per_s=12.8"});
  ASSERT_EQ(old.size(), 1u);
  EXPECT_NE(old[0].find("memory.dram.bandwidth_gb_per_s: no longer a setting"), std::string::npos) << old[0];
  EXPECT_NE(old[0].find("channels"), std::string::npos) << old[0];
  const auto unknown = load_problems(kValidArch, {"memory.dram.type=ddr5"});
  ASSERT_EQ(unknown.size(), 1u);
  EXPECT_NE(unknown[0].find("no DRAM device 'ddr5'"), std::string::npos) << unknown[0];
  EXPECT_NE(unknown[0].find("ddr4-3200"), std::string::npos) << unknown[0];
  const auto three = load_problems(kValidArch, {"memory.dram.channels=3"});
  ASSERT_EQ(three.size(), 1u);
  EXPECT_NE(three[0].find("memory.dram.channels: must be a power of two"), std::string::npos) << three[0];
  const auto map = load_problems(kValidArch, {"memory.dram.address_map=row,rank,bank,column"});
  ASSERT_EQ(map.size(), 1u);
  EXPECT_NE(map[0].find("'channel' is missing"), std::string::npos) << map[0];
}

TEST(ArchLoader, SetOverridesAnyKeyWithTheSameValidation) {
  const ArchSpec a = load_arch(testing::write_temp(kValidArch),
                               {config::Override::parse("pe_array.rows=32"),
                                config::Override::parse("memory.ideal=true"),
                                config::Override::parse("memory.dram.channels=4")});
  EXPECT_EQ(a.pe_array.rows, 32);
  EXPECT_TRUE(a.memory.ideal);
  EXPECT_NEAR(a.memory.dram.bandwidth_gb_per_s(), 4 * 8 * 2 / 0.63, 1e-9);
  const auto p = load_problems(kValidArch, {"pe_array.rows=abc"});
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0], "--set pe_array.rows=abc: pe_array.rows: expected an integer from 1 to 4096, got 'abc'");
  // A --set that creates maps on its way is the one named, not the file (issue 23).
  const auto deep = load_problems(kValidArch, {"new.deep.key=1"});
  ASSERT_EQ(deep.size(), 1u);
  EXPECT_EQ(deep[0].rfind("--set new.deep.key=1: new: unknown key", 0), 0u) << deep[0];
  const auto inner = load_problems(kValidArch, {"pe_array.new.deep=1"});
  ASSERT_EQ(inner.size(), 1u);
  EXPECT_EQ(inner[0].rfind("--set pe_array.new.deep=1: pe_array.new: unknown key", 0), 0u) << inner[0];
  const auto typo = load_problems(kValidArch, {"pe_array.rowz=8"});
  ASSERT_EQ(typo.size(), 1u);
  EXPECT_EQ(typo[0], "--set pe_array.rowz=8: pe_array.rowz: unknown key (did you mean 'rows'?); known "
                     "keys here: accumulator_format, activation_format, block_rounding, block_scale_rule, "
                     "cols, dataflow, dvafs, multiplier, precision_scaling, register_files, rows, serial_operand, "
                     "special_function_format, weight_format or "
                     "zero_gating");
}

// One test per class of mistake: the message names the file, line, column and key path.
TEST(ArchLoader, GlobalBufferServesTheTensorsItLists) {
  const ArchSpec a = load_arch(testing::write_temp(replace(
      replace(kValidArch, "  weight: {size_kib: 64, banks: 4, word_bits: 64}\n  input: {size_kib: 32}\n", ""),
      "buffers:\n", "buffers:\n  global: {size_kib: 108, banks: 27, word_bits: 64, serves: [input, weight]}\n")));
  EXPECT_TRUE(a.has_global_buffer());
  EXPECT_TRUE(a.served_by_global(Tensor::Weight));
  EXPECT_TRUE(a.served_by_global(Tensor::Input));
  EXPECT_FALSE(a.served_by_global(Tensor::Output));
  EXPECT_EQ(a.global_buffer.size_bytes(), 108 * 1024);
  EXPECT_EQ(a.weight_buffer.banks, 27);  // a served tensor's buffer is the global one
  EXPECT_EQ(a.input_buffer.size_bytes(), 108 * 1024);
  EXPECT_EQ(a.output_buffer.size_bytes(), 16 * 1024);  // its own
  const ArchSpec plain = load_arch(testing::write_temp(kValidArch));
  EXPECT_FALSE(plain.has_global_buffer());
  EXPECT_FALSE(plain.served_by_global(Tensor::Weight));
}

TEST(ArchLoader, GlobalBufferMistakesNameTheKey) {
  const std::string with_global =
      replace(kValidArch, "buffers:\n", "buffers:\n  global: {size_kib: 108, serves: [weight]}\n");
  EXPECT_TRUE(any_contains(load_problems(with_global),
                           "buffers.weight: the weight tensor is held by buffers.global"));
  EXPECT_TRUE(any_contains(load_problems(replace(with_global, "serves: [weight]", "serves: [wieght]")),
                           "buffers.global.serves[0]: expected one of weight, input or output, got 'wieght' (did you mean 'weight'?)"));
  EXPECT_TRUE(any_contains(load_problems(replace(with_global, "serves: [weight]", "serves: [output, output]")),
                           "buffers.global.serves[1]: 'output' is listed twice"));
  EXPECT_TRUE(any_contains(load_problems(replace(with_global, "serves: [weight]", "serves: []")),
                           "buffers.global.serves: expected a non-empty list"));
  EXPECT_TRUE(any_contains(load_problems(replace(with_global, ", serves: [weight]", "")),
                           "buffers.global.serves: missing required key"));
  EXPECT_TRUE(any_contains(load_problems(replace(kValidArch, "  input: {size_kib: 32}\n", "")),
                           "buffers.input: missing required key"));
}

ArchSpec load_with(const std::vector<std::string>& sets) {
  std::vector<config::Override> overrides;
  for (const auto& s : sets) overrides.push_back(config::Override::parse(s));
  return load_arch(testing::write_temp(kValidArch), overrides);
}

TEST(ArchLoader, SpecialFunctionFormatDefaultsToFp32AndTakesFloatsOrIntegers) {
  EXPECT_EQ(load_arch(testing::write_temp(kValidArch)).pe_array.special_function_format.to_string(), "fp32");
  for (const char* f : {"bf16", "int16"}) {
    EXPECT_EQ(load_with({std::string("pe_array.special_function_format=") + f}).pe_array.special_function_format.to_string(), f);
  }
  const auto posit = load_problems(kValidArch, {"pe_array.special_function_format=posit<8,1>"});
  ASSERT_EQ(posit.size(), 1u);
  EXPECT_NE(posit[0].find("pe_array.special_function_format: the special-function unit computes in a float or"),
            std::string::npos)
      << posit[0];
}

TEST(ArchLoader, BlockFormatsRunOnABlockDotArray) {
  const ArchSpec a = load_with({"pe_array.weight_format=mxfp4", "pe_array.activation_format=mxfp8_e4m3",
                                "pe_array.multiplier=block_dot", "pe_array.block_scale_rule=rceil",
                                "pe_array.block_rounding=nearest_away"});
  EXPECT_EQ(a.pe_array.weight_format.to_string(), "mxfp4");  // the alias as written
  EXPECT_EQ(a.pe_array.weight_format.block_size(), 32);
  EXPECT_EQ(a.pe_array.activation_format.bits(), 8);
  EXPECT_EQ(a.pe_array.accumulator_format.to_string(), "fp32");  // not int32: MXINT8 blocks are fractional
  EXPECT_EQ(a.pe_array.block_scale_rule, numerics::ScaleRule::Rceil);
  EXPECT_EQ(a.pe_array.block_rounding, numerics::TieRule::Away);
  // Group-wise int4 weights beside fp16 activations (W4A16) and a wide fixed-point accumulator.
  const ArchSpec w4 = load_with({"pe_array.weight_format=int4_g128_fp16", "pe_array.activation_format=fp16",
                                 "pe_array.accumulator_format=fixed32_16", "pe_array.multiplier=block_dot"});
  EXPECT_EQ(w4.pe_array.weight_format.scale_bits(), 16);
}

TEST(ArchLoader, BlockFormatsNeedTheBlockDotStyle) {
  EXPECT_TRUE(any_contains(load_problems(kValidArch, {"pe_array.weight_format=mxfp4"}),
                           "pe_array.multiplier: exact multiplies scalar operands; mxfp4 is block-scaled: use "
                           "multiplier block_dot"));
  EXPECT_TRUE(any_contains(load_problems(kValidArch, {"pe_array.multiplier=block_dot"}),
                           "block_dot needs a block-scaled operand"));
  EXPECT_TRUE(any_contains(load_problems(kValidArch, {"pe_array.weight_format=mxfp4", "pe_array.multiplier=block_dot",
                                                      "pe_array.activation_format=mxfp4_e2m1_b16"}),
                           "block_dot pairs blocks of one size"));
  EXPECT_TRUE(any_contains(load_problems(kValidArch, {"pe_array.weight_format=mxint8", "pe_array.multiplier=block_dot",
                                                      "pe_array.accumulator_format=int32"}),
                           "a int32 accumulator cannot take block-scaled products; use a float (fp32) or a wide "
                           "fixed point (fixedN_F)"));
  EXPECT_TRUE(any_contains(load_problems(kValidArch, {"pe_array.weight_format=mxint8", "pe_array.multiplier=block_dot",
                                                      "pe_array.accumulator_format=mxint8"}),
                           "mxint8 is block-scaled and cannot be an accumulator"));
}

TEST(ArchLoader, ABlockMustDivideTheArraysSpatialReduction) {
  const std::vector<std::string> mx = {"pe_array.weight_format=mxfp4", "pe_array.activation_format=mxfp4",
                                       "pe_array.multiplier=block_dot"};
  auto with = [&](std::vector<std::string> extra) {
    extra.insert(extra.begin(), mx.begin(), mx.end());
    return load_problems(kValidArch, extra);
  };
  EXPECT_NO_THROW(load_with(mx));  // os reduces in time: any block size
  const auto ws = with({"pe_array.dataflow=ws"});  // 16 rows, blocks of 32
  ASSERT_EQ(ws.size(), 1u);
  EXPECT_NE(ws[0].find("pe_array.weight_format: mxfp4 has blocks of 32 elements, which do not divide the 16 rows "
                       "that ws sums at once (pe_array.rows); block sizes that do: 1, 2, 4, 8, 16 (e.g. "
                       "mxfp4_e2m1_b16, or a multiple of 32 rows)"),
            std::string::npos)
      << ws[0];
  EXPECT_NO_THROW(load_with({"pe_array.weight_format=mxfp4", "pe_array.activation_format=mxfp4",
                             "pe_array.multiplier=block_dot", "pe_array.dataflow=ws", "pe_array.rows=64"}));
  EXPECT_NO_THROW(load_with({"pe_array.weight_format=mxfp4_e2m1_b8", "pe_array.activation_format=mxfp4_e2m1_b8",
                             "pe_array.multiplier=block_dot", "pe_array.dataflow=is"}));
  EXPECT_TRUE(any_contains(with({"pe_array.dataflow=rs"}), "block formats run on ws, os, is and adder_tree"));
  EXPECT_TRUE(any_contains(load_problems(kValidArch, {"pe_array.weight_format=nvfp4", "pe_array.multiplier=block_dot",
                                                      "pe_array.dataflow=adder_tree", "pe_array.rows=8"}),
                           "nvfp4's blocks are always 16 elements: use a multiple of 16 rows"));
}

TEST(ArchLoader, MisspelledKey) {
  const auto p = load_problems(replace(kValidArch, "  rows: 16", "  rowz: 16"));
  ASSERT_EQ(p.size(), 2u);
  EXPECT_TRUE(any_contains(p, "arch.yaml:4:3: pe_array.rowz: unknown key (did you mean 'rows'?)"));
  EXPECT_TRUE(any_contains(p, "arch.yaml:4:3: pe_array.rows: missing required key 'rows'"));
}

TEST(ArchLoader, WrongType) {
  const auto p = load_problems(replace(kValidArch, "rows: 16", "rows: many"));
  ASSERT_EQ(p.size(), 1u);
  EXPECT_NE(p[0].find("arch.yaml:4:9: pe_array.rows: expected an integer from 1 to 4096, got 'many'"),
            std::string::npos);
}

TEST(ArchLoader, OutOfRangeValues) {
  EXPECT_TRUE(any_contains(load_problems(replace(kValidArch, "rows: 16", "rows: -4")), "pe_array.rows: out of range"));
  EXPECT_TRUE(any_contains(load_problems(replace(kValidArch, "rows: 16", "rows: 0")), "pe_array.rows: out of range"));
  EXPECT_TRUE(any_contains(load_problems(replace(kValidArch, "clock_ghz: 1.0", "clock_ghz: 0")), "clock_ghz: out of range"));
  // A 1 TiB buffer is rejected before anything is sized from it.
  EXPECT_TRUE(any_contains(load_problems(replace(kValidArch, "size_kib: 64,", "size_kib: 1073741824,")),
                           "buffers.weight.size_kib: out of range"));
  EXPECT_TRUE(any_contains(load_problems(replace(kValidArch, "word_bits: 64", "word_bits: 60")),
                           "buffers.weight.word_bits: must be a multiple of 8"));
}

TEST(ArchLoader, UnknownEnumValue) {
  const auto p = load_problems(replace(kValidArch, "dataflow: os", "dataflow: diagonal"));
  ASSERT_EQ(p.size(), 1u);
  EXPECT_NE(p[0].find("pe_array.dataflow: expected one of ws, os, is, rs or adder_tree, got 'diagonal'"), std::string::npos);
  EXPECT_TRUE(any_contains(load_problems(replace(kValidArch, "type: ddr4", "type: ddr5")),
                           "memory.dram.type: no DRAM device 'ddr5' in "));
}

TEST(ArchLoader, BadFormatAndIncompatibleMultiplier) {
  EXPECT_TRUE(any_contains(load_problems(replace(kValidArch, "weight_format: int8", "weight_format: int99")),
                           "pe_array.weight_format:"));
  const auto p = load_problems(replace(kValidArch, "activation_format: int8",
                                       "activation_format: int8\n  multiplier: xnor_popcount"));
  ASSERT_EQ(p.size(), 1u);
  EXPECT_NE(p[0].find("pe_array.multiplier:"), std::string::npos);
}

TEST(ArchLoader, MissingSectionsAndFile) {
  const auto p = load_problems("name: x\nclock_ghz: 1\n");
  EXPECT_TRUE(any_contains(p, "pe_array: missing required key"));
  EXPECT_TRUE(any_contains(p, "buffers: missing required key"));
  EXPECT_TRUE(any_contains(p, "memory: missing required key"));
  try {
    load_arch("/no/such/config.yaml");
    FAIL();
  } catch (const config::InputError& e) {
    EXPECT_EQ(e.diagnostics()[0].to_string(), "/no/such/config.yaml: no such file");
  }
}

TEST(ArchLoader, AllProblemsInOnePass) {
  std::string yaml = replace(kValidArch, "rows: 16", "rows: x");
  yaml = replace(yaml, "cols: 8", "cols: -1");
  yaml = replace(yaml, "dataflow: os", "dataflow: q");
  yaml = replace(yaml, "banks: 4", "bankz: 4");
  EXPECT_EQ(load_problems(yaml).size(), 4u);
}

TEST(ArchLoader, ShippedConfigsAreValid) {
  for (const auto& entry : std::filesystem::directory_iterator(std::string(QARCH_SOURCE_DIR) + "/configs")) {
    if (entry.path().extension() != ".yaml") continue;
    SCOPED_TRACE(entry.path().string());
    EXPECT_NO_THROW(load_arch(entry.path().string()));
  }
}

}  // namespace
}  // namespace qarch::arch
