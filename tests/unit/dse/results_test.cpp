#include <gtest/gtest.h>

#include "dse/csv.hpp"
#include "dse/results_table.hpp"
#include "dse_test_support.hpp"

namespace qarch::dse {
namespace {

TEST(Results, MetricsFromSummaryInAFixedOrder) {
  const auto summary = nlohmann::json::parse(R"({
    "schema_version": 1, "qarch_version": "0.1.0", "arch": {"name": "x"},
    "zeta": 3, "energy_pj": null, "macs": 416520, "latency_s": 1.5672857142857144e-05,
    "alpha": true, "energy_breakdown_pj": {"sram": 2.5, "dram": 7}, "layers": []})");
  const auto m = metrics_from_summary(summary);
  std::vector<std::string> keys;
  for (const auto& item : m.items()) keys.push_back(item.key());
  EXPECT_EQ(keys, (std::vector<std::string>{"macs", "latency_s", "energy_pj", "alpha", "zeta",
                                            "energy_breakdown_pj.dram", "energy_breakdown_pj.sram"}));
  EXPECT_EQ(cell_text(m["energy_pj"]), "");
  EXPECT_EQ(cell_text(m["latency_s"]), "1.5672857142857144e-05");
  EXPECT_EQ(cell_text(m["macs"]), "416520");
  EXPECT_EQ(cell_text(nlohmann::ordered_json(0.1)), "0.1");
}

TEST(Results, RowsInPointOrderWithStatusAndError) {
  const SweepSpec spec = parse_sweep_spec(
      "arch: ../tpu-like.yaml\nworkload: ../../workloads/lenet5.yaml\naxes:\n  pe_array.rows: [8, 13, 4]\n",
      testing::source_path("configs/sweeps/t.yaml"));
  const auto points = expand_points(spec);
  std::map<std::string, PointOutcome> outcomes;
  PointOutcome ok;
  ok.status = PointStatus::Ok;
  ok.metrics = {{"macs", 64}, {"energy_pj", nullptr}, {"energy_breakdown_pj.mac", 1.25}};
  PointOutcome failed;
  failed.status = PointStatus::Failed;
  failed.error = "pe_array.rows: bad, \"really\"";
  failed.metrics = {{"macs", 1}};  // never shown for a failed point
  outcomes[points[2].id] = ok;     // inserted out of order on purpose
  outcomes[points[1].id] = failed;
  const std::string csv = render_results_csv(spec, points, outcomes);
  const CsvTable t = parse_csv(csv, "results.csv");
  EXPECT_EQ(t.header.front(), "point");
  EXPECT_EQ(t.header[2], "pe_array.rows");
  EXPECT_EQ(t.header[3], "status");
  EXPECT_EQ(t.header[t.header.size() - 2], "energy_breakdown_pj.mac");
  EXPECT_EQ(t.header.back(), "error");
  ASSERT_EQ(t.rows.size(), 3u);
  const std::size_t macs = *t.column("macs");
  EXPECT_EQ(t.rows[0][3], "pending");
  EXPECT_EQ(t.rows[1][3], "failed");
  EXPECT_EQ(t.rows[1][macs], "");
  EXPECT_EQ(t.rows[1].back(), "pe_array.rows: bad, \"really\"");
  EXPECT_EQ(t.rows[2][3], "ok");
  EXPECT_EQ(t.rows[2][macs], "64");
  EXPECT_EQ(t.rows[2][*t.column("energy_pj")], "");
  EXPECT_EQ(t.rows[2][*t.column("energy_breakdown_pj.mac")], "1.25");
  EXPECT_EQ(t.rows[2][1], points[2].id);
}

}  // namespace
}  // namespace qarch::dse
