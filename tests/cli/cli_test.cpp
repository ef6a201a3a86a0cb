// The command line in-process: dispatch, help, exit codes and messages. A successful `run`
// elaborates SystemC, which a process may do once, so those live in process_test.cpp.

#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "cli_support.hpp"

namespace qarch::cli {
namespace {

using testing::run_in_process;
using testing::source_path;

using testing::kArch;
using testing::kLenet;
using testing::starts_with;

TEST(Cli, Version) {
  const auto o = run_in_process({"--version"});
  EXPECT_EQ(o.status, 0);
  EXPECT_EQ(o.out, "qarch 0.1.0\n");
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
