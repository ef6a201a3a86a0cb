#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "arch/arch_spec.hpp"
#include "config/document.hpp"
#include "report/columns.hpp"
#include "report/number_format.hpp"
#include "report/make_result.hpp"
#include "report/render.hpp"
#include "workload/yaml_network_loader.hpp"

namespace qarch::report {
namespace {

const std::vector<std::string> kContractColumns = {
    "name", "type", "macs", "total_cycles", "compute_cycles", "stall_cycles", "utilization",
    "dram_read_bytes", "dram_write_bytes", "energy_pj"};
const std::vector<std::string> kContractSummaryKeys = {
    "total_cycles", "stall_cycles", "macs", "energy_pj", "energy_breakdown_pj", "area_um2",
    "latency_s", "inferences_per_s", "tops_per_w", "layers"};

arch::ArchSpec small_arch(const std::string& weight_format) {
  arch::ArchSpec a;
  a.name = "unit";
  a.source_file = "unit.yaml";
  a.clock_ghz = 1.0;
  a.pe_array.rows = 4;
  a.pe_array.cols = 4;
  a.pe_array.weight_format = numerics::Format::parse(weight_format);
  return a;
}

workload::Network small_network() {
  return workload::load_yaml_network(config::Document::parse(
      "name: small\ninput: {channels: 1, height: 6, width: 6}\nlayers:\n"
      "  - {name: c, type: conv2d, filters: 3, kernel: 3}\n"
      "  - {name: r, type: activation, function: relu}\n"
      "  - {name: f, type: fc, out_features: 5}\n",
      "small.yaml"));
}

std::vector<std::string> split(const std::string& line, char sep) {
  std::vector<std::string> parts;
  std::stringstream in(line);
  std::string part;
  while (std::getline(in, part, sep)) parts.push_back(part);
  return parts;
}

// Names come from user files: bytes that are not UTF-8 are replaced in the JSON, never an
// internal error.
TEST(RenderJson, NamesThatAreNotUtf8AreReplaced) {
  NetworkResult r;
  r.network_name = "net\xff";
  LayerResult l;
  l.name = "fc\xfe";
  r.layers.push_back(l);
  const std::string json = render_json(r);
  EXPECT_NE(json.find("\"net\xEF\xBF\xBD\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"fc\xEF\xBF\xBD\""), std::string::npos);
  EXPECT_NO_THROW(nlohmann::json::parse(json));
}

TEST(PackedBytes, SubByteValuesShareBytes) {
  EXPECT_EQ(packed_bytes(10, 8), 10);
  EXPECT_EQ(packed_bytes(10, 4), 5);
  EXPECT_EQ(packed_bytes(11, 4), 6);  // a half-filled last byte still counts
  EXPECT_EQ(packed_bytes(16, 1), 2);
  EXPECT_EQ(packed_bytes(3, 16), 6);
  EXPECT_EQ(packed_bytes(0, 8), 0);
}

TEST(MakeResult, SizesFollowTheConfiguredWidths) {
  const auto net = small_network();
  const NetworkResult int8 = make_result(small_arch("int8"), net);
  const NetworkResult int4 = make_result(small_arch("int4"), net);
  ASSERT_EQ(int8.layers.size(), 3u);
  EXPECT_EQ(int8.layers[0].macs, 16 * 9 * 3);
  EXPECT_EQ(int8.layers[0].weight_bytes, 27);
  EXPECT_EQ(int4.layers[0].weight_bytes, 14);  // ceil(27 / 2)
  EXPECT_EQ(int8.layers[2].weight_bytes, 48 * 5);
  EXPECT_EQ(int4.layers[2].weight_bytes, 48 * 5 / 2);
  EXPECT_EQ(int8.layers[0].output_bytes, 48);
  EXPECT_EQ(int8.layers[1].weight_format, "");  // relu has no weights
  EXPECT_EQ(int8.macs(), 432 + 240);
  // No timing or energy model has run: nothing is invented.
  EXPECT_FALSE(int8.total_cycles().has_value());
  EXPECT_FALSE(int8.latency_s().has_value());
  EXPECT_FALSE(int8.tops_per_w().has_value());
  EXPECT_FALSE(int8.tops().has_value());
}

TEST(NetworkResult, DerivedTotalsFromLayerTimings) {
  NetworkResult r;
  r.clock_ghz = 0.5;
  r.batch = 2;
  LayerResult a, b;
  a.macs = 1000;
  b.macs = 3000;
  a.total_cycles = 100;
  b.total_cycles = 400;
  r.layers = {a, b};
  EXPECT_EQ(r.total_cycles(), 500);
  EXPECT_DOUBLE_EQ(*r.latency_s(), 500 / 0.5e9);
  EXPECT_DOUBLE_EQ(*r.inferences_per_s(), 2 / (500 / 0.5e9));
  r.energy_pj = 8000.0;  // 8000 ops / 8000 pJ = 1 op/pJ = 1 TOPS/W
  EXPECT_DOUBLE_EQ(*r.tops_per_w(), 1.0);
  // 8000 ops in 1 us: 8e9 op/s = 0.008 TOPS.
  EXPECT_DOUBLE_EQ(*r.tops(), 8000 / (500 / 0.5e9) / 1e12);
  r.layers[1].total_cycles.reset();  // one unknown layer makes the total unknown
  EXPECT_FALSE(r.total_cycles().has_value());
}

TEST(RenderCsv, HeaderStartsWithTheContractColumns) {
  const std::string csv = render_csv(make_result(small_arch("int8"), small_network()));
  const auto lines = split(csv, '\n');
  ASSERT_EQ(lines.size(), 4u);
  const auto header = split(lines[0], ',');
  ASSERT_GE(header.size(), kContractColumns.size());
  for (std::size_t i = 0; i < kContractColumns.size(); ++i) EXPECT_EQ(header[i], kContractColumns[i]);
  const auto row = split(lines[1] + ",", ',');  // trailing comma keeps empty last cells
  EXPECT_EQ(row[0], "c");
  EXPECT_EQ(row[2], "432");
  EXPECT_EQ(row[3], "");  // total_cycles: unknown, left empty
}

TEST(RenderJson, SummaryHasTheContractKeysAndNullsForUnknowns) {
  const NetworkResult r = make_result(small_arch("int8"), small_network());
  const auto summary = nlohmann::json::parse(render_json(r));
  for (const auto& key : kContractSummaryKeys) EXPECT_TRUE(summary.contains(key)) << key;
  EXPECT_EQ(summary["macs"], 672);
  EXPECT_TRUE(summary["total_cycles"].is_null());
  EXPECT_TRUE(summary["energy_pj"].is_null());
  EXPECT_TRUE(summary["energy_breakdown_pj"].is_object());
  ASSERT_EQ(summary["layers"].size(), 3u);
  // Every layer object has exactly the CSV's columns.
  const auto header = split(split(render_csv(r), '\n')[0], ',');
  EXPECT_EQ(summary["layers"][0].size(), header.size());
  for (const auto& column : header) EXPECT_TRUE(summary["layers"][0].contains(column)) << column;
  EXPECT_EQ(summary["layers"][2]["macs"], 240);
}

TEST(Render, IsDeterministicAndHumanReadable) {
  const NetworkResult r = make_result(small_arch("int8"), small_network());
  EXPECT_EQ(render_json(r), render_json(make_result(small_arch("int8"), small_network())));
  const std::string table = render_table(r);
  EXPECT_NE(table.find("MACs:          672"), std::string::npos);
  EXPECT_NE(table.find("no timing model yet"), std::string::npos);
  const std::string md = render_markdown(r);
  EXPECT_NE(md.find("# qarch report: small on unit"), std::string::npos);
  EXPECT_NE(md.find("| name | type | macs |"), std::string::npos);
}

// The terminal's numbers: SI prefixes only with a unit, four significant digits without a
// trailing blank or zero, ratios plain, fractions as percentages, counts grouped.
TEST(NumberFormat, ForPeople) {
  EXPECT_EQ(significant(0.1088123), "0.1088");
  EXPECT_EQ(significant(1.4336), "1.434");
  EXPECT_EQ(significant(2.5), "2.5");
  EXPECT_EQ(significant(53150.4), "53150");
  EXPECT_EQ(significant(-0.00123456), "-0.001235");
  EXPECT_EQ(significant(0), "0");
  EXPECT_EQ(significant(1.5e-7), "1.5e-07");
  EXPECT_EQ(quantity(15.6712e-6, "s"), "15.67 us");
  EXPECT_EQ(quantity(2.0634e-6, "J"), "2.063 uJ");
  EXPECT_EQ(quantity(999.96, "W"), "1 kW");  // rounded before the prefix is chosen
  EXPECT_EQ(quantity(0.7e9, "Hz"), "700 MHz");
  EXPECT_EQ(quantity(0, "J"), "0 J");
  EXPECT_EQ(percent_of(0.87214), "87.21 %");
  EXPECT_EQ(percent_of(0.5, 1), "50.0 %");
  EXPECT_EQ(fixed(36.0, 1), "36.0");
  EXPECT_EQ(grouped(4089184256), "4,089,184,256");
  EXPECT_EQ(grouped(-1234), "-1,234");
  EXPECT_EQ(grouped(999), "999");
}

// The summary uses them: no SI prefix on a ratio, top-1 in %, energy by component.
TEST(Render, SummaryNumbersAndEnergySplit) {
  NetworkResult r = make_result(small_arch("int8"), small_network());
  r.energy_breakdown_pj = {{"dram", 750}, {"mac", 250}, {"leakage", 0}};
  r.top1 = 0.8721;
  r.images = 10000;
  r.reference_top1 = 0.8725;
  const std::string table = render_table(r);
  EXPECT_NE(table.find("energy split:  dram 75.0 %, mac 25.0 %\n"), std::string::npos) << table;
  EXPECT_NE(table.find("top-1:         87.21 % over 10,000 images (float32: 87.25 %)"), std::string::npos) << table;
  EXPECT_EQ(table.find(" \n"), std::string::npos) << table;  // no trailing blanks
  // Per layer: the formats, and for a functional run the SQNR and saturated values.
  EXPECT_NE(table.find("int8 x int8"), std::string::npos) << table;
  EXPECT_NE(table.find("SQNR  saturated"), std::string::npos) << table;
  r.top1.reset();
  EXPECT_EQ(render_table(r).find("SQNR"), std::string::npos);
}

TEST(FormatNumber, ShortestRoundTrip) {
  EXPECT_EQ(format_number(0.5), "0.5");
  EXPECT_EQ(format_number(0.1), "0.1");
  EXPECT_EQ(std::stod(format_number(1.0 / 3.0)), 1.0 / 3.0);
  EXPECT_EQ(format_cell(Cell{}), "");
  EXPECT_EQ(format_cell(Cell{std::int64_t{42}}), "42");
}

}  // namespace
}  // namespace qarch::report
