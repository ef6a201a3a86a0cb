#include <gtest/gtest.h>

#include "config/diagnostic.hpp"
#include "dse/design_point.hpp"
#include "dse/sweep_spec.hpp"

#include <filesystem>
#include "dse_test_support.hpp"

namespace qarch::dse {
namespace {

using testing::source_path;

// Every diagnostic of a spec that must not parse, as text.
std::vector<std::string> problems(const std::string& yaml) {
  try {
    parse_sweep_spec(yaml, source_path("configs/sweeps/t.yaml"));
  } catch (const config::InputError& e) {
    std::vector<std::string> texts;
    for (const auto& d : e.diagnostics()) texts.push_back(d.to_string());
    return texts;
  }
  return {};
}

bool any_contains(const std::vector<std::string>& texts, const std::string& part) {
  for (const auto& t : texts) {
    if (t.find(part) != std::string::npos) return true;
  }
  return false;
}

const std::string kHead = "arch: ../tpu-like.yaml\nworkload: ../../workloads/lenet5.yaml\n";

TEST(SweepSpec, ReadsEveryPart) {
  const SweepSpec spec = parse_sweep_spec(
      kHead +
          "name: demo\nset: {memory.ideal: true}\ntimeout_s: 30\nrun_args: [--format-extra]\n"
          "axes:\n"
          "  pe_array.rows: [8, 16]\n"
          "  pe_array.cols: {from: 8, to: 32, factor: 2}\n"
          "  pe_array.dataflow: [ws, os]\n"
          "  clock_ghz: {from: 0.5, to: 0.7, step: 0.1}\n"
          "zip: [[pe_array.rows, pe_array.dataflow]]\n",
      source_path("configs/sweeps/t.yaml"));
  EXPECT_EQ(spec.name, "demo");
  EXPECT_EQ(spec.arch_path, source_path("configs/tpu-like.yaml"));
  EXPECT_EQ(spec.workload_path, source_path("workloads/lenet5.yaml"));
  ASSERT_EQ(spec.fixed.size(), 1u);
  EXPECT_EQ(spec.fixed[0].key, "memory.ideal");
  EXPECT_EQ(spec.fixed[0].value, "true");
  ASSERT_EQ(spec.axes.size(), 4u);
  EXPECT_EQ(spec.axes[1].values, (std::vector<std::string>{"8", "16", "32"}));
  EXPECT_EQ(spec.axes[2].values, (std::vector<std::string>{"ws", "os"}));
  // Float steps are computed as from + i * step, so 0.7 is reached exactly as written.
  EXPECT_EQ(spec.axes[3].values, (std::vector<std::string>{"0.5", "0.6", "0.7"}));
  EXPECT_EQ(spec.axes[0].where.line, 8);
  ASSERT_EQ(spec.timeout_s.value_or(0), 30);
  EXPECT_EQ(spec.run_args, (std::vector<std::string>{"--format-extra"}));
  // Zip group rows+dataflow at the place of rows, then cols, then clock.
  EXPECT_EQ(spec.groups, (std::vector<std::vector<std::size_t>>{{0, 2}, {1}, {3}}));
  EXPECT_EQ(spec.point_count(), 2u * 3u * 3u);
}

// The name is a directory under out/sweeps/: a path in it would put the results elsewhere.
TEST(SweepSpec, NameIsOneDirectoryName) {
  for (const char* name : {"../../x", "a/b", "..", "."}) {
    SCOPED_TRACE(name);
    EXPECT_TRUE(any_contains(problems(std::string("name: \"") + name + "\"\n" + kHead + "axes: {pe_array.rows: [8]}\n"),
                             "name: must be one directory name"));
  }
  EXPECT_TRUE(problems("name: fine-name_1\n" + kHead + "axes: {pe_array.rows: [8]}\n").empty());
}

TEST(SweepSpec, ArithmeticRangesIncludeTheEnd) {
  EXPECT_EQ(expand_range(16, 64, 16, std::nullopt, true),
            (std::vector<std::string>{"16", "32", "48", "64"}));
  EXPECT_EQ(expand_range(16, 60, 16, std::nullopt, true),
            (std::vector<std::string>{"16", "32", "48"}));
  EXPECT_EQ(expand_range(1, 1000, std::nullopt, 10, true),
            (std::vector<std::string>{"1", "10", "100", "1000"}));
  EXPECT_EQ(expand_range(0.1, 0.3, 0.1, std::nullopt, false),
            (std::vector<std::string>{"0.1", "0.2", "0.3"}));  // not 0.30000000000000004
  EXPECT_EQ(expand_range(0.5, 2, std::nullopt, 1.5, false),
            (std::vector<std::string>{"0.5", "0.75", "1.125", "1.6875"}));
}

TEST(SweepSpec, UnknownKeyGetsLineAndSuggestion) {
  const auto p = problems(kHead + "axis:\n  pe_array.rows: [1]\n");
  EXPECT_TRUE(any_contains(p, "t.yaml:3:1: axis: unknown key (did you mean 'axes'?)")) << p[0];
  EXPECT_TRUE(any_contains(p, "axes: missing required key 'axes'"));
}

TEST(SweepSpec, CollectsEveryProblemInOnePass) {
  const auto p = problems(
      "arch: nothere.yaml\nworkload: ../../workloads/lenet5.yaml\nmode: zipp\n"
      "axes:\n"
      "  a: {from: 1, to: 4, step: 1, factor: 2}\n"  // 5
      "  b: [1, [2, 3]]\n"                          // 6
      "  c: [x, x]\n"                               // 7
      "  d: []\n"
      "run_args: [--out, x]\n");
  EXPECT_TRUE(any_contains(p, "t.yaml:1:7: arch: no such file")) << ::testing::PrintToString(p);
  EXPECT_TRUE(any_contains(p, "t.yaml:3:7: mode: expected one of cartesian or zip, got 'zipp'"));
  EXPECT_TRUE(any_contains(p, "exactly one of 'step' (arithmetic) or 'factor'"));
  EXPECT_TRUE(any_contains(p, "t.yaml:6:10: axes.b[1]: expected a single value"));
  EXPECT_TRUE(any_contains(p, "t.yaml:7:3: axes.c: a value is listed twice"));
  EXPECT_TRUE(any_contains(p, "axes.d: the list of values is empty"));
  EXPECT_TRUE(any_contains(p, "run_args[0]: '--out' is set by the sweep itself"));
}

TEST(SweepSpec, ZipProblemsNameTheAxes) {
  const auto p = problems(kHead +
                          "axes:\n  pe_array.rows: [1, 2]\n  pe_array.cols: [1, 2, 3]\n"
                          "zip: [[pe_array.rows, pe_array.cols], [pe_array.rowz, x]]\n");
  EXPECT_TRUE(any_contains(p, "zipped axes need the same number of values: pe_array.rows has 2, "
                              "pe_array.cols has 3"));
  EXPECT_TRUE(any_contains(p, "not an axis: 'pe_array.rowz' (did you mean 'pe_array.rows'?)"));
  const auto z = problems(kHead + "mode: zip\naxes:\n  a: [1, 2]\n  b: [1]\n");
  EXPECT_TRUE(any_contains(z, "t.yaml:6:3: axes.b: mode: zip needs every axis to have the same "
                              "number of values: a has 2, this one has 1"));
}

TEST(SweepSpec, ZippedAxesMayRepeatAValueButNotACombination) {
  EXPECT_TRUE(problems(kHead + "axes:\n  a: [1, 1, 2]\n  b: [x, y, x]\nzip: [[a, b]]\n").empty());
  const auto p = problems(kHead + "axes:\n  a: [1, 2, 1]\n  b: [x, y, x]\nzip: [[a, b]]\n");
  EXPECT_TRUE(any_contains(p, "t.yaml:4:3: axes.a: a combination of zipped values is listed twice"));
}

TEST(SweepSpec, AxisAlsoFixedIsAnError) {
  const auto p = problems(kHead + "set: {pe_array.rows: 4}\naxes:\n  pe_array.rows: [1, 2]\n");
  EXPECT_TRUE(any_contains(p, "t.yaml:5:3: axes.pe_array.rows: is also fixed under 'set'"));
}

TEST(SweepSpec, TooManyPointsIsAnError) {
  const auto p = problems(kHead + "axes:\n  a: {from: 1, to: 1000, step: 1}\n"
                                  "  b: {from: 1, to: 1000, step: 1}\n  c: [1, 2]\n");
  EXPECT_TRUE(any_contains(p, "more than 1000000 points"));
}

TEST(SweepSpec, ArchCheckPutsAMisspelledAxisKeyOnTheSpecLine) {
  const std::string dir = testing::scratch_dir("arch-check");
  const std::string spec_path = dir + "/s.yaml";
  testing::write_text(spec_path, "arch: " + source_path("configs/tpu-like.yaml") +
                                     "\nworkload: " + source_path("workloads/lenet5.yaml") +
                                     "\nset: {memory.ideal: maybe}\n"
                                     "axes:\n  pe_array.rowz: [8]\n  pe_array.cols: [0, 8]\n");
  const SweepSpec spec = load_sweep_spec(spec_path);
  try {
    check_against_arch(spec);
    FAIL() << "expected an error";
  } catch (const config::InputError& e) {
    std::vector<std::string> texts;
    for (const auto& d : e.diagnostics()) texts.push_back(d.to_string());
    // The base does not load: the fixed setting is reported at its spec line.
    EXPECT_TRUE(any_contains(texts, spec_path + ":3:7: set.memory.ideal: expected true or false"))
        << ::testing::PrintToString(texts);
  }
  testing::write_text(spec_path, "arch: " + source_path("configs/tpu-like.yaml") +
                                     "\nworkload: " + source_path("workloads/lenet5.yaml") +
                                     "\naxes:\n  pe_array.rowz: [8]\n  pe_array.cols: [0, 8]\n");
  try {
    check_against_arch(load_sweep_spec(spec_path));
    FAIL() << "expected an error";
  } catch (const config::InputError& e) {
    ASSERT_EQ(e.diagnostics().size(), 1u) << e.what();  // cols=0 is a per-point failure
    EXPECT_EQ(e.diagnostics()[0].to_string().rfind(spec_path + ":4:3: axes.pe_array.rowz: unknown key "
                                                   "(did you mean 'rows'?)", 0), 0u)
        << e.what();
  }
}

// Axes over the network: its file (resolved against the spec's folder), its keys
// (workload.KEY, layers by name), checked against the network with the fixed workload settings.
TEST(SweepSpec, WorkloadAxesSetTheNetworkAndItsKeys) {
  const std::string dir = testing::scratch_dir("workload-axes");
  const std::string spec_path = dir + "/s.yaml";
  std::filesystem::copy_file(source_path("workloads/mlp.yaml"), dir + "/mlp.yaml");
  testing::write_text(spec_path, "arch: " + source_path("configs/tpu-like.yaml") + "\nworkload: " +
                                     source_path("workloads/lenet5.yaml") +
                                     "\nset: {workload.per_channel: true, memory.ideal: true}\n"
                                     "axes:\n  workload: [" + source_path("workloads/lenet5.yaml") + ", mlp.yaml]\n"
                                     "  workload.batch: [1, 2]\n  pe_array.rows: [8]\n");
  const SweepSpec spec = load_sweep_spec(spec_path);
  EXPECT_NO_THROW(check_against_arch(spec));
  const std::vector<DesignPoint> points = expand_points(spec);
  ASSERT_EQ(points.size(), 4u);
  EXPECT_EQ(point_workload(spec, points[0]), source_path("workloads/lenet5.yaml"));
  EXPECT_EQ(point_workload(spec, points[3]), dir + "/mlp.yaml");
  EXPECT_EQ(point_settings(spec, points[3]),
            (std::vector<std::string>{"workload.per_channel=true", "memory.ideal=true", "workload.batch=2",
                                      "pe_array.rows=8"}));
  // Point ids come from the values as written, as for any axis.
  EXPECT_EQ(points[3].id, point_id({"workload", "workload.batch", "pe_array.rows"}, {"mlp.yaml", "2", "8"}));

  testing::write_text(spec_path, "arch: " + source_path("configs/tpu-like.yaml") + "\nworkload: " +
                                     source_path("workloads/lenet5.yaml") + "\nset: {workload.batch: 0}\n"
                                     "axes:\n  workload.layers.conv9.weight_format: [int4]\n"
                                     "  workload.batchh: [2]\n");
  try {
    check_against_arch(load_sweep_spec(spec_path));
    FAIL() << "expected an error";
  } catch (const config::InputError& e) {
    std::vector<std::string> texts;
    for (const auto& d : e.diagnostics()) texts.push_back(d.to_string());
    EXPECT_TRUE(any_contains(texts, spec_path + ":3:7: set.workload.batch: out of range")) << ::testing::PrintToString(texts);
    EXPECT_TRUE(any_contains(texts, spec_path + ":5:3: axes.workload.layers.conv9.weight_format: no layer named 'conv9'"))
        << ::testing::PrintToString(texts);
    EXPECT_TRUE(any_contains(texts, spec_path + ":6:3: axes.workload.batchh: unknown key (did you mean 'batch'?)"))
        << ::testing::PrintToString(texts);
  }
  EXPECT_TRUE(any_contains(problems("arch: a.yaml\nworkload: w.yaml\naxes:\n  workload: [nope.yaml]\n"),
                           "axes.workload: no such file"));
  EXPECT_TRUE(any_contains(problems("arch: a.yaml\nworkload: w.yaml\nset: {workload: x.yaml}\naxes:\n  a.b: [1]\n"),
                           "set.workload: the network is the spec's 'workload:' key"));
}

TEST(SweepSpec, ShippedSpecsPassTheArchCheck) {
  for (const char* name : {"array_dataflow.yaml", "formats_multiplier.yaml", "buffer_dram.yaml"}) {
    SCOPED_TRACE(name);
    const SweepSpec spec = load_sweep_spec(source_path(std::string("configs/sweeps/") + name));
    EXPECT_NO_THROW(check_against_arch(spec));
    EXPECT_GE(spec.point_count(), 4u);
  }
}

}  // namespace
}  // namespace qarch::dse
