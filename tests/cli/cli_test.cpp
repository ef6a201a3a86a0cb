// The command line in-process: dispatch, help, exit codes and messages. A successful `run`
// elaborates SystemC, which a process may do once, so those live in process_test.cpp.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "cli_support.hpp"

namespace qarch::cli {
namespace {

using testing::Outcome;
using testing::run_in_process;
using testing::run_process;
using testing::source_path;

using testing::kArch;
using testing::kLenet;
using testing::starts_with;

TEST(Cli, Version) {
  const auto o = run_in_process({"--version"});
  EXPECT_EQ(o.status, 0);
  EXPECT_EQ(o.out, "qarch 0.1.0\n");
}

TEST(Cli, VersionTakesNoArguments) {
  const auto o = run_in_process({"--version", "--bogus"});
  EXPECT_EQ(o.status, 2);
  EXPECT_NE(o.err.find("--version takes no arguments, got '--bogus'"), std::string::npos) << o.err;
  EXPECT_TRUE(o.out.empty());
}

TEST(Cli, NoArgumentsPrintsUsageAndFails) {
  const auto o = run_in_process({});
  EXPECT_EQ(o.status, 2);
  EXPECT_NE(o.err.find("usage: qarch <command>"), std::string::npos);
  EXPECT_NE(o.err.find("validate"), std::string::npos);
}

TEST(Cli, UnknownCommandSuggestsOne) {
  const auto o = run_in_process({"rn"});
  EXPECT_EQ(o.status, 2);
  EXPECT_EQ(o.err, "error: unknown command 'rn' (did you mean 'run'?); run 'qarch --help' for the list\n");
}

TEST(Cli, EverySubcommandHasHelp) {
  for (const std::string command : {"run", "validate", "explain", "sweep", "pareto", "map"}) {
    const auto o = run_in_process({command, "--help"});
    EXPECT_EQ(o.status, 0) << command;
    EXPECT_TRUE(starts_with(o.out, "usage: qarch " + command)) << o.out;
    const bool takes_arch = command != "sweep" && command != "pareto";
    EXPECT_EQ(o.out.find("--arch") != std::string::npos, takes_arch) << command;
  }
  const auto top = run_in_process({"--help"});
  EXPECT_EQ(top.status, 0);
  EXPECT_NE(top.out.find("run"), std::string::npos);
}

TEST(Cli, MissingRequiredOption) {
  const auto o = run_in_process({"run", "--arch", kArch});
  EXPECT_EQ(o.status, 2);
  EXPECT_TRUE(starts_with(o.err, "error: the option '--workload' is required but missing"));
  EXPECT_NE(o.err.find("see 'qarch run --help'"), std::string::npos);
}

TEST(Cli, UnknownOptionAndStrayArgument) {
  EXPECT_EQ(run_in_process({"run", "--arch", kArch, "--workload", kLenet, "--turbo"}).status, 2);
  const auto stray = run_in_process({"validate", "--arch", kArch, "extra"});
  EXPECT_EQ(stray.status, 2);
  EXPECT_TRUE(starts_with(stray.err, "error:"));
  // Abbreviations are not guessed: --arc is not --arch.
  EXPECT_EQ(run_in_process({"validate", "--arc", kArch}).status, 2);
}

TEST(Cli, BadFormatValue) {
  const auto o = run_in_process({"run", "--arch", kArch, "--workload", kLenet, "--format", "xml"});
  EXPECT_EQ(o.status, 2);
  EXPECT_NE(o.err.find("--format must be table, csv, json or md, got 'xml'"), std::string::npos);
}

TEST(Cli, MissingFileNamesIt) {
  const auto o = run_in_process({"run", "--arch", "no/such.yaml", "--workload", kLenet});
  EXPECT_EQ(o.status, 2);
  EXPECT_EQ(o.err, "error: no/such.yaml: no such file\n");
}

TEST(Cli, BadSetValueNamesTheOverride) {
  const auto o = run_in_process({"run", "--arch", kArch, "--workload", kLenet, "--set", "pe_array.rows=abc"});
  EXPECT_EQ(o.status, 2);
  EXPECT_EQ(o.err, "error: --set pe_array.rows=abc: pe_array.rows: expected an integer from 1 to 4096, got 'abc'\n");
  const auto malformed = run_in_process({"validate", "--arch", kArch, "--set", "pe_array.rows"});
  EXPECT_EQ(malformed.status, 2);
  EXPECT_NE(malformed.err.find("expected KEY=VALUE"), std::string::npos);
}

// --set workload.KEY sets a key of the network: the same run as the flag or the edited file.
TEST(Cli, WorkloadSettingsGoToTheNetwork) {
  const std::vector<std::string> functional = {"run", "--arch", source_path("configs/int4.yaml"), "--workload",
                                               source_path("workloads/fashion/lenet5.yaml"), "--functional",
                                               "--limit", "60", "--quiet", "--format", "json"};
  auto with = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = functional;
    args.insert(args.end(), extra.begin(), extra.end());
    return run_process(args);
  };
  const Outcome flag = with({"--per-channel"});
  const Outcome key = with({"--set", "workload.per_channel=true"});
  ASSERT_EQ(flag.status, 0) << flag.err;
  ASSERT_EQ(key.status, 0) << key.err;
  EXPECT_EQ(key.out, flag.out);
  const Outcome per_tensor = with({});
  EXPECT_NE(per_tensor.out, flag.out);  // int4: per-channel scales change the outputs

  const Outcome batch = run_process({"run", "--arch", kArch, "--workload", kLenet, "--format", "csv", "--set",
                                     "workload.batch=3", "--set", "workload.layers.conv2.weight_format=int4"});
  ASSERT_EQ(batch.status, 0) << batch.err;
  EXPECT_NE(batch.out.find("\nconv1,conv2d,352800,"), std::string::npos) << batch.out;  // 3 x 117,600 MACs
  EXPECT_NE(batch.out.find(",int4,int8,int32,exact,"), std::string::npos) << batch.out;
  const Outcome wrong = run_in_process({"run", "--arch", kArch, "--workload", kLenet, "--set", "workload.layers.fc9.out_features=3"});
  EXPECT_EQ(wrong.status, 2);
  EXPECT_EQ(wrong.err, "error: --set workload.layers.fc9.out_features=3: workload.layers.fc9.out_features: no layer "
                       "named 'fc9' in " + kLenet + " (did you mean 'fc1'?)\n");
}

// The longest row activation the loader accepts still lets every access through between
// refreshes (one more tCK is refused: ArchLoader.ARowMustBeReadableBetweenRefreshes); with the
// old rule this run never ended.
TEST(Cli, TheSlowestAcceptedDramStillFinishes) {
  const Outcome o = run_process({"run", "--arch", kArch, "--workload", kLenet, "--set", "memory.dram.timing.rcd=5734"});
  EXPECT_EQ(o.status, 0) << o.err;  // lpddr4-3200: refi 6240 - rfc 448 - rp 29 - cl 28 - 1
  const Outcome refused = run_process({"run", "--arch", kArch, "--workload", kLenet, "--set", "memory.dram.timing.rcd=5800"});
  EXPECT_EQ(refused.status, 2);
  EXPECT_NE(refused.err.find("no row could be read between refreshes"), std::string::npos) << refused.err;
}

TEST(Cli, ValidateSaysOkOrListsEveryProblem) {
  const auto ok = run_in_process({"validate", "--arch", kArch, "--workload", kLenet});
  EXPECT_EQ(ok.status, 0);
  EXPECT_EQ(ok.out, "ok\n");
  const auto bad = run_in_process({"validate", "--arch", kArch, "--set", "pe_array.rows=0",
                                   "--set", "pe_array.dataflow=diagonal", "--workload", "nope.csv"});
  EXPECT_EQ(bad.status, 2);
  EXPECT_NE(bad.err.find("error: --set pe_array.rows=0: pe_array.rows: out of range"), std::string::npos);
  EXPECT_NE(bad.err.find("error: --set pe_array.dataflow=diagonal: pe_array.dataflow"), std::string::npos);
  EXPECT_NE(bad.err.find("error: nope.csv: no such file"), std::string::npos);
}

}  // namespace
}  // namespace qarch::cli

namespace qarch::cli {
namespace {

// Technologies are the tables in the models directory: a new file is a new technology, and a
// name without a table is an error at the design point's key, listing the tables there.
// Real processes: each run simulates (SystemC elaborates once per process).
TEST(Cli, TechnologyIsAnyTableInTheModelsDirectory) {
  const std::string dir = testing::scratch_dir("models_with_a_new_node");
  for (const char* name : {"45nm.yaml", "65nm.yaml"}) {
    std::ifstream in(source_path(std::string("models/") + name));
    std::ofstream(dir + "/" + name) << in.rdbuf();
  }
  std::filesystem::copy(source_path("models/dram"), dir + "/dram", std::filesystem::copy_options::overwrite_existing | std::filesystem::copy_options::recursive);
  std::ofstream(dir + "/28nm.yaml") << "name: 28nm\ndescription: test node\nderived_from: 45nm\n"
                                       "scale: {energy: 0.5, area: 0.4, source: a test factor}\n";
  const testing::Outcome base = testing::run_process({"run", "--arch", kArch, "--workload", kLenet, "--models", dir,
                                       "--format", "json"});
  const testing::Outcome node = testing::run_process({"run", "--arch", kArch, "--workload", kLenet, "--models", dir,
                                       "--set", "technology=28nm", "--format", "json"});
  ASSERT_EQ(base.status, 0) << base.err;
  ASSERT_EQ(node.status, 0) << node.err;
  const auto area = [](const std::string& json) { return nlohmann::json::parse(json)["area_um2"].get<double>(); };
  EXPECT_LT(area(node.out), area(base.out));  // area x0.4 on every scaled entry

  const testing::Outcome missing = testing::run_process({"run", "--arch", kArch, "--workload", kLenet, "--models", dir,
                                          "--set", "technology=7nm"});
  EXPECT_EQ(missing.status, 2);
  EXPECT_NE(missing.err.find("technology: no technology table '7nm' in " + dir + " (it has 28nm, 45nm or 65nm)"),
            std::string::npos)
      << missing.err;
  const testing::Outcome path = testing::run_process({"run", "--arch", kArch, "--workload", kLenet, "--set", "technology=../45nm"});
  EXPECT_EQ(path.status, 2);
  EXPECT_NE(path.err.find("expected the name of a technology table"), std::string::npos) << path.err;
}

}  // namespace
}  // namespace qarch::cli

namespace qarch::cli {
namespace {

// `qarch run --dram-trace` writes what the simulated DRAM saw, and `qarch dram` replays it:
// every DRAM byte of the report is in the trace (64-byte requests), and a failed run leaves no
// trace behind.
TEST(Cli, DramTraceOfARunReplaysThroughQarchDram) {
  const std::string dir = testing::scratch_dir("dram_trace");
  const std::string trace = dir + "/lenet.trace";
  const testing::Outcome run = testing::run_process({"run", "--arch", kArch, "--workload", kLenet,
                                                     "--dram-trace", trace, "--format", "json"});
  ASSERT_EQ(run.status, 0) << run.err;
  const auto report = nlohmann::json::parse(run.out);
  std::int64_t bytes = 0;
  for (const auto& layer : report["layers"])
    bytes += layer["dram_read_bytes"].get<std::int64_t>() + layer["dram_write_bytes"].get<std::int64_t>();
  std::ifstream in(trace);
  std::string line;
  std::int64_t requests = 0;
  while (std::getline(in, line)) requests += !line.empty() && line[0] != '#' ? 1 : 0;
  EXPECT_GE(requests * 64, bytes);                  // each transfer rounded out to whole 64 B
  EXPECT_LE(requests * 64, bytes + 2 * 64 * 1000);  // by at most two requests per transfer
  const testing::Outcome replay = testing::run_process({"dram", "--arch", kArch, "--trace", trace, "--format", "json"});
  ASSERT_EQ(replay.status, 0) << replay.err;
  EXPECT_EQ(nlohmann::json::parse(replay.out)["requests"].get<std::int64_t>(), requests);

  const std::string failed = dir + "/failed.trace";
  // Fails inside the evaluation, after the trace was opened: no dataset.
  const testing::Outcome bad = testing::run_process({"run", "--arch", kArch, "--workload", kLenet, "--dram-trace",
                                                     failed, "--functional", "--dataset", dir + "/no-dataset"});
  EXPECT_EQ(bad.status, 2);
  EXPECT_FALSE(std::filesystem::exists(failed));
  EXPECT_FALSE(std::filesystem::exists(failed + ".partial"));
}

}  // namespace
}  // namespace qarch::cli
