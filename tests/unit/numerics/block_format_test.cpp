// Block-scaled formats against the golden sample computed with exact rational arithmetic
// (tests/data/block-formats, from ../shared/reference/block-formats): every scale, code and
// decoded value, for every scale rule and rounding; and the names.

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "numerics/block_format.hpp"

namespace qarch::numerics {
namespace {

using Row = std::map<std::string, std::string>;

std::vector<Row> read_csv(const std::string& name) {
  std::ifstream in(std::string(QARCH_SOURCE_DIR) + "/tests/data/block-formats/" + name);
  EXPECT_TRUE(in) << name;
  std::vector<Row> rows;
  std::string line;
  std::vector<std::string> header;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::vector<std::string> cells;
    std::stringstream ss(line);
    std::string cell;
    while (std::getline(ss, cell, ',')) cells.push_back(cell);
    if (line.back() == ',') cells.emplace_back();
    if (header.empty()) {
      header = cells;
      continue;
    }
    Row r;
    for (std::size_t i = 0; i < header.size() && i < cells.size(); ++i) r[header[i]] = cells[i];
    rows.push_back(r);
  }
  return rows;
}

std::vector<std::string> words(const std::string& text) {
  std::vector<std::string> w;
  std::stringstream ss(text);
  std::string s;
  while (ss >> s) w.push_back(s);
  return w;
}

std::vector<float> floats_of(const std::string& hex) {
  std::vector<float> v;
  for (const std::string& h : words(hex)) {
    const auto bits = static_cast<std::uint32_t>(std::stoul(h, nullptr, 16));
    float f = 0;
    std::memcpy(&f, &bits, sizeof f);
    v.push_back(f);
  }
  return v;
}

// The same double, bit for bit (-0 is not 0), or both NaN.
void expect_same_values(const std::vector<double>& got, const std::string& decoded, const std::string& where) {
  const std::vector<std::string> want = words(decoded);
  ASSERT_EQ(got.size(), want.size()) << where;
  for (std::size_t i = 0; i < got.size(); ++i) {
    const double w = std::strtod(want[i].c_str(), nullptr);
    if (std::isnan(w)) {
      EXPECT_TRUE(std::isnan(got[i])) << where << " element " << i;
    } else {
      EXPECT_EQ(got[i], w) << where << " element " << i;
      EXPECT_EQ(std::signbit(got[i]), std::signbit(w)) << where << " element " << i;
    }
  }
}

class MxGolden : public ::testing::TestWithParam<const char*> {};

TEST_P(MxGolden, EveryBlockRuleAndRoundingMatches) {
  const std::string name = GetParam();
  const auto format = BlockFormat::parse(name);
  ASSERT_TRUE(format);
  std::map<std::string, std::vector<float>> inputs;
  for (const Row& r : read_csv(name + "_inputs.csv")) inputs[r.at("block")] = floats_of(r.at("inputs_f32hex"));
  const std::vector<Row> golden = read_csv(name + "_golden.csv");
  ASSERT_GE(golden.size(), 200u);
  for (const Row& g : golden) {
    const std::string where = name + " block " + g.at("block") + " " + g.at("rule") + " " + g.at("rounding");
    const std::vector<float>& x = inputs.at(g.at("block"));
    std::string rule = g.at("rule");
    for (char& c : rule) c = static_cast<char>(std::tolower(c));
    const QuantizedBlock q = quantize_mx(*format, x.data(), x.size(), *parse_scale_rule(rule),
                                         g.at("rounding") == "rne" ? TieRule::Even : TieRule::Away);
    EXPECT_EQ(q.scale_code, std::stoi(g.at("scale_code"))) << where;
    expect_same_values(q.values, g.at("decoded"), where);
    if (q.nan) continue;  // the golden codes of a NaN block are "xx"
    EXPECT_EQ(q.scale_exp, std::stoi(g.at("scale_exp"))) << where;
    const std::vector<std::string> codes = words(g.at("codes"));
    ASSERT_EQ(codes.size(), q.codes.size()) << where;
    for (std::size_t i = 0; i < codes.size(); ++i)
      EXPECT_EQ(q.codes[i], std::stoul(codes[i], nullptr, 16)) << where << " element " << i;
  }
}

INSTANTIATE_TEST_SUITE_P(BlockFormats, MxGolden,
                         ::testing::Values("mxfp8_e4m3", "mxfp8_e5m2", "mxfp6_e3m2", "mxfp6_e2m3", "mxfp4_e2m1",
                                           "mxint8"));

TEST(Nvfp4Golden, EveryBlockMatches) {
  std::map<std::string, std::vector<float>> inputs;
  for (const Row& r : read_csv("nvfp4_inputs.csv"))
    inputs[r.at("tensor") + "/" + r.at("block")] = floats_of(r.at("inputs_f32hex"));
  const std::vector<Row> golden = read_csv("nvfp4_golden.csv");
  ASSERT_GE(golden.size(), 40u);
  for (const Row& g : golden) {
    const std::string where = "nvfp4 tensor " + g.at("tensor") + " block " + g.at("block");
    const std::vector<float>& x = inputs.at(g.at("tensor") + "/" + g.at("block"));
    const bool nonfinite = g.at("tensor_amax_f32hex") == "nan";
    const float st = nvfp4_tensor_scale(nonfinite ? NAN : floats_of(g.at("tensor_amax_f32hex"))[0]);
    const QuantizedBlock q = quantize_nvfp4(x.data(), x.size(), st);
    EXPECT_EQ(q.scale_code, std::stoi(g.at("sb_code"), nullptr, 16)) << where;
    expect_same_values(q.values, g.at("decoded"), where);
    if (nonfinite) {  // a NaN in the tensor: NaN scales, NaN values, codes "x"
      EXPECT_TRUE(std::isnan(st)) << where;
      EXPECT_TRUE(q.nan) << where;
      continue;
    }
    EXPECT_EQ(st, floats_of(g.at("s_t_f32hex"))[0]) << where;
    const std::vector<std::string> codes = words(g.at("codes"));
    ASSERT_EQ(codes.size(), q.codes.size()) << where;
    for (std::size_t i = 0; i < codes.size(); ++i)
      EXPECT_EQ(q.codes[i], std::stoul(codes[i], nullptr, 16)) << where << " element " << i;
  }
}

TEST(GroupIntGolden, EveryGroupMatches) {
  std::map<std::string, std::vector<float>> inputs;
  for (const Row& r : read_csv("group_int_inputs.csv"))
    inputs[r.at("bits") + "/" + r.at("G") + "/" + r.at("group")] = floats_of(r.at("inputs_f32hex"));
  const std::vector<Row> golden = read_csv("group_int_golden.csv");
  ASSERT_GE(golden.size(), 150u);
  for (const Row& g : golden) {
    const std::string name = "int" + g.at("bits") + "_g" + g.at("G") + (g.at("scale_dtype") == "fp16" ? "_fp16" : "");
    const auto format = BlockFormat::parse(name);
    ASSERT_TRUE(format) << name;
    const std::string where = name + " group " + g.at("group");
    const std::vector<float>& x = inputs.at(g.at("bits") + "/" + g.at("G") + "/" + g.at("group"));
    const QuantizedBlock q = quantize_group(*format, x.data(), x.size());
    EXPECT_EQ(q.scale, std::strtod(g.at("scale").c_str(), nullptr)) << where;
    expect_same_values(q.values, g.at("decoded"), where);
    if (q.nan) continue;  // a NaN in the group: every value NaN, the golden codes -999
    const std::vector<std::string> ints = words(g.at("q"));
    ASSERT_EQ(ints.size(), q.codes.size()) << where;
    const std::uint32_t mask = (1u << format->element_bits) - 1;
    for (std::size_t i = 0; i < ints.size(); ++i)
      EXPECT_EQ(q.codes[i], static_cast<std::uint32_t>(std::stoi(ints[i])) & mask) << where << " element " << i;
  }
}

TEST(BlockFormat, NamesRoundTripAndBitsCountTheScales) {
  for (const std::string& name : block_format_names()) {
    const auto f = BlockFormat::parse(name);
    ASSERT_TRUE(f) << name;
    EXPECT_EQ(f->to_string(), name);
  }
  EXPECT_EQ(BlockFormat::parse("mxfp4")->to_string(), "mxfp4_e2m1");  // the alias
  EXPECT_EQ(BlockFormat::parse("mxfp4_e2m1_b16")->block, 16);
  EXPECT_EQ(BlockFormat::parse("mxfp4_e2m1_b16")->to_string(), "mxfp4_e2m1_b16");
  EXPECT_DOUBLE_EQ(BlockFormat::parse("mxfp4")->bits_per_element(), 4.25);
  EXPECT_DOUBLE_EQ(BlockFormat::parse("mxfp8_e4m3")->bits_per_element(), 8.25);
  EXPECT_DOUBLE_EQ(BlockFormat::parse("nvfp4")->bits_per_element(), 4.5);
  EXPECT_DOUBLE_EQ(BlockFormat::parse("int4_g32")->bits_per_element(), 5.0);
  EXPECT_DOUBLE_EQ(BlockFormat::parse("int4_g128_fp16")->bits_per_element(), 4.125);
  for (const char* bad : {"mxfp4_e4m3", "mxfp8_e2m1", "mxint4", "mxfp4_b0", "int4_g0", "int9_g32", "int4g32", "fp8"})
    EXPECT_FALSE(BlockFormat::parse(bad)) << bad;
}

// Every element code of every MX float element decodes to a value that quantizes back to it.
TEST(BlockFormat, EveryElementCodeRoundTrips) {
  for (const char* name : {"mxfp8_e4m3", "mxfp8_e5m2", "mxfp6_e3m2", "mxfp6_e2m3", "mxfp4_e2m1"}) {
    const BlockFormat f = *BlockFormat::parse(name);
    const MiniFloat m = f.minifloat();
    // A block whose amax is max_norm gets scale 2^0 under every rule, so elements are themselves.
    std::vector<float> probe = {static_cast<float>(m.max_norm)};
    const QuantizedBlock base = quantize_mx(f, probe.data(), 1, ScaleRule::Floor, TieRule::Even);
    ASSERT_EQ(base.scale_exp, 0) << name;
    const std::uint32_t codes = 1u << f.element_bits;
    int checked = 0;
    for (std::uint32_t code = 0; code < codes; ++code) {
      std::vector<float> x = {static_cast<float>(m.max_norm), 0};
      // Decode: sign, exponent field, mantissa.
      const std::uint32_t mag = code & ((codes >> 1) - 1);
      const int field = static_cast<int>(mag >> m.mantissa_bits);
      const int mant = static_cast<int>(mag & ((1u << m.mantissa_bits) - 1));
      const double v = field == 0 ? std::ldexp(mant, 1 - m.bias - m.mantissa_bits)
                                  : std::ldexp((1 << m.mantissa_bits) + mant, field - m.bias - m.mantissa_bits);
      if (v > m.max_norm) continue;  // NaN / infinity codes are never produced
      x[1] = static_cast<float>((code & (codes >> 1)) ? -v : v);
      const QuantizedBlock q = quantize_mx(f, x.data(), 2, ScaleRule::Floor, TieRule::Even);
      EXPECT_EQ(q.codes[1], code) << name << " code " << code;
      EXPECT_EQ(q.values[1], x[1]) << name << " code " << code;
      ++checked;
    }
    EXPECT_GE(checked, static_cast<int>(codes) - 8) << name;
  }
}

// Elements above the block's largest value are clipped to it and counted (functional mode's
// saturation statistics): OCP's floor rule leaves amax's mantissa above max_norm x 2^e.
TEST(BlockFormat, ClippedElementsAreCounted) {
  const auto saturated = [](const char* name, std::vector<float> x, ScaleRule rule) {
    int n = 0;
    for (const QuantizedBlock& q : quantize_into_blocks(*BlockFormat::parse(name), x, rule, TieRule::Even))
      n += q.saturated;
    return n;
  };
  EXPECT_EQ(saturated("mxfp8_e4m3", {1.9f, -1.95f, 1.75f, 0.5f}, ScaleRule::Floor), 2);  // 1.75 x 2^8 = 448
  EXPECT_EQ(saturated("mxfp8_e4m3", {1.9f, -1.95f, 1.75f, 0.5f}, ScaleRule::Ceil), 0);
  EXPECT_EQ(saturated("mxfp4_e2m1", {7.0f, 6.0f, 1.0f}, ScaleRule::Floor), 1);  // e = 0, max 6
  EXPECT_EQ(saturated("mxint8", {1.99f, 1.98f, -1.0f}, ScaleRule::Floor), 1);   // above 127/64
  // NVFP4: amax 2688 gives s_t = 1; a block of amax 6.3 gets sb = E4M3(6.3 / 6 = 1.05) = 1.
  EXPECT_EQ(saturated("nvfp4", {2688.0f, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 6.3f, -6.25f, 5.0f},
                      ScaleRule::Floor),
            2);
  EXPECT_EQ(saturated("int4_g32", {7.0f, -7.0f, 3.0f}, ScaleRule::Floor), 0);  // s = amax / 7 never clips
}

}  // namespace
}  // namespace qarch::numerics
