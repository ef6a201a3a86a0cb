#include "workload/scalesim_csv_loader.hpp"

#include <gtest/gtest.h>

#include "support/diagnostics.hpp"
#include "support/print_shape.hpp"

#include <fstream>
#include <sstream>

#include "workload/network.hpp"

namespace qarch::workload {
namespace {

const std::string kDataDir = std::string(QARCH_SOURCE_DIR) + "/tests/data/scalesim-v2-resnet50/";

std::vector<std::string> problems(const std::string& text) {
  return testing::diagnostics_of([&] { parse_scalesim_csv(text, "topo.csv"); });
}

// Column `column` of every data row of one of SCALE-Sim's report CSVs.
std::vector<double> report_column(const std::string& file, std::size_t column) {
  std::ifstream in(kDataDir + file);
  std::string line;
  std::getline(in, line);  // header
  std::vector<double> values;
  while (std::getline(in, line)) {
    std::stringstream row(line);
    std::string cell;
    for (std::size_t i = 0; i <= column; ++i) std::getline(row, cell, ',');
    values.push_back(std::stod(cell));
  }
  return values;
}

TEST(ScaleSimCsv, ReadsTheContractExample) {
  const Network net = parse_scalesim_csv(
      "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\n"
      "conv1, 56, 56, 3, 3, 64, 64, 1,\nfc, 1, 1, 1, 1, 512, 10, 1,\n",
      "topo.csv");
  ASSERT_EQ(net.layers.size(), 2u);
  EXPECT_EQ(net.layers[0].macs(), 54 * 54 * 9 * 64 * 64);  // no padding: valid convolution
  EXPECT_EQ(net.layers[1].macs(), 5120);
  EXPECT_EQ(net.name, "topo");
}

TEST(ScaleSimCsv, ResNet50MatchesScaleSimsOwnReports) {
  // SCALE-Sim's file as shipped: extra columns and a blank second row.
  const Network net = load_network(kDataDir + "Resnet50.csv");
  // Independent of our loader: SCALE-Sim's is-dataflow ifmap reads are T*N and its ws filter
  // reads are T*M per layer, so N (output pixels) and M (filters) follow from its reports.
  const auto is_ifmap_reads = report_column("32x32_is_DETAILED_ACCESS_REPORT.csv", 3);
  const auto ws_filter_reads = report_column("32x32_ws_DETAILED_ACCESS_REPORT.csv", 6);
  ASSERT_EQ(net.layers.size(), is_ifmap_reads.size());
  for (std::size_t i = 0; i < net.layers.size(); ++i) {
    const Gemm& g = net.layers[i].gemm;
    SCOPED_TRACE(net.layers[i].name);
    EXPECT_EQ(static_cast<double>(g.k * g.m), is_ifmap_reads[i]);
    EXPECT_EQ(static_cast<double>(g.k * g.n), ws_filter_reads[i]);
  }
  EXPECT_EQ(net.layers[0].output, (Shape{64, 110, 110}));  // ceil((224 - 7 + 2) / 2), the CSV says 110
}

TEST(ScaleSimCsv, DepthwiseRowsSplitIntoOneChannelLayers) {
  const Network net = parse_scalesim_csv("h\nDP_conv, 10, 10, 3, 3, 4, 1, 1,\nplain,4,4,1,1,2,3,1,\n", "t.csv");
  ASSERT_EQ(net.layers.size(), 5u);
  EXPECT_EQ(net.layers[0].name, "DP_convChannel_0");
  EXPECT_EQ(net.layers[3].name, "DP_convChannel_3");
  EXPECT_EQ(net.layers[0].input.c, 1);
  EXPECT_EQ(net.layers[0].macs(), 8 * 8 * 9);
  EXPECT_EQ(net.layers[4].name, "plain");
}

TEST(ScaleSimCsv, SecondStrideColumnIsHonoured) {
  const Network net = parse_scalesim_csv("h\nc, 9, 9, 3, 3, 1, 1, 1, 2,\n", "t.csv");
  EXPECT_EQ(net.layers[0].output, (Shape{1, 7, 4}));
}

// The ninth column is a stride or nothing; anything else is an error, not the height's stride.
TEST(ScaleSimCsv, ABadSecondStrideIsAnError) {
  for (const char* bad : {"0", "-1", "3.7", "nan"}) {
    SCOPED_TRACE(bad);
    const auto p = problems(std::string("h\nc, 9, 9, 3, 3, 1, 1, 1, ") + bad + ",\n");
    ASSERT_EQ(p.size(), 1u);
    EXPECT_NE(p[0].find("c.stride width: expected an integer from 1 to 4096 or nothing"), std::string::npos) << p[0];
  }
}

// SCALE-Sim skips the first row: a file without a header would lose its first layer silently.
TEST(ScaleSimCsv, AFirstRowOfNumbersIsAMissingHeader) {
  const auto p = problems("conv1, 56, 56, 3, 3, 64, 64, 1,\nconv2, 56, 56, 3, 3, 64, 64, 1,\n");
  ASSERT_EQ(p.size(), 1u);
  EXPECT_NE(p[0].find("topo.csv:1:1: the first row is a layer"), std::string::npos) << p[0];
}

TEST(ScaleSimCsv, BadFieldNamesLineColumnAndField) {
  const auto p = problems("header\nconv1, 56, x6, 3, 3, 64, 64, 1,\n");
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0], "topo.csv:2:12: conv1.ifmap width: expected an integer from 1 to 1048576, got 'x6'");
}

TEST(ScaleSimCsv, ShortRowsOversizedFiltersAndEmptyFiles) {
  EXPECT_NE(problems("h\nc, 1, 2, 3\n").at(0).find("expected 8 columns"), std::string::npos);
  EXPECT_NE(problems("h\nc, 2, 2, 3, 3, 1, 1, 1,\n").at(0).find("larger than the 2x2 ifmap"),
            std::string::npos);
  EXPECT_NE(problems("only a header\n").at(0).find("no layers"), std::string::npos);
  EXPECT_NE(problems("h\nc, 4, 4, 1, 1, 1, 1, 0,\n").at(0).find("strides"), std::string::npos);
}

}  // namespace
}  // namespace qarch::workload
