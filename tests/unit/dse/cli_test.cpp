// qarch sweep and qarch pareto as subcommands: in-process through run_sweep / run_pareto, and
// as a process (the qarch executable) for the terminal-facing parts.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <boost/program_options/errors.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "cli/dse_commands.hpp"
#include "config/diagnostic.hpp"
#include "dse/csv.hpp"
#include "dse_test_support.hpp"
#include "workload/network.hpp"

namespace qarch::cli {
namespace {

namespace fs = std::filesystem;
using dse::testing::read_text;
using dse::testing::source_path;

struct Outcome {
  int status = -1;
  std::string out, err;
};

Outcome sweep(std::vector<std::string> args) {
  Outcome o;
  std::ostringstream out, err;
  o.status = run_sweep(args, out, err);
  o.out = out.str();
  o.err = err.str();
  return o;
}

// The driver executable as a process; stdout captured, stderr into `err_file`.
Outcome process(const std::string& command) {
  Outcome o;
  std::FILE* pipe = ::popen(command.c_str(), "r");
  std::array<char, 4096> buffer{};
  std::size_t n = 0;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) o.out.append(buffer.data(), n);
  const int status = ::pclose(pipe);
  o.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return o;
}

TEST(SweepCommand, RunsAShippedStyleSpecWithTheRealQarch) {
  const std::string dir = dse::testing::scratch_dir("cli-sweep");
  const std::string spec =
      dse::testing::write_fake_spec(dir, "[8, 16]", "[8]", "set: {memory.ideal: true}\n");
  const Outcome o = sweep({"--spec", spec, "--out", dir + "/out", "--jobs", "2", "--qarch", QARCH_EXE});
  EXPECT_EQ(o.status, 0) << o.err;
  EXPECT_NE(o.err.find("] ok     #0 pe_array.rows=8 pe_array.cols=8"), std::string::npos) << o.err;
  EXPECT_NE(o.err.find("sweep: 2 points: 2 ok, 0 failed"), std::string::npos) << o.err;
  const auto t = dse::read_csv_file(dir + "/out/results.csv");
  EXPECT_EQ(t.rows.size(), 2u);
  const Outcome quiet = sweep({"--spec", spec, "--out", dir + "/out", "--quiet", "--qarch", QARCH_EXE});
  EXPECT_EQ(quiet.err, "");
  const Outcome check = sweep({"--spec", spec, "--check"});
  EXPECT_EQ(check.out, "ok: 2 points\n");
}

// Axes over the network file and its keys, run by the real qarch: each point's MACs are its
// network's at its batch.
TEST(SweepCommand, WorkloadAxesRunEachPointsNetwork) {
  const std::string dir = dse::testing::scratch_dir("cli-sweep-workloads");
  const std::string spec = dir + "/spec.yaml";
  dse::testing::write_text(spec, "arch: " + source_path("configs/tpu-like.yaml") + "\nworkload: " +
                                     source_path("workloads/lenet5.yaml") + "\nset: {memory.ideal: true}\naxes:\n"
                                     "  workload: [" + source_path("workloads/lenet5.yaml") + ", " +
                                     source_path("workloads/mlp.yaml") + "]\n  workload.batch: [1, 3]\n");
  const Outcome o = sweep({"--spec", spec, "--out", dir + "/out", "--jobs", "2", "--quiet", "--qarch", QARCH_EXE});
  ASSERT_EQ(o.status, 0) << o.err;
  const auto t = dse::read_csv_file(dir + "/out/results.csv");
  ASSERT_EQ(t.rows.size(), 4u);
  const std::size_t wl = t.column("workload").value(), batch = t.column("workload.batch").value(),
                    macs = t.column("macs").value();
  for (const auto& row : t.rows) {
    SCOPED_TRACE(row[wl] + " batch " + row[batch]);
    EXPECT_EQ(std::stoll(row[macs]), workload::load_network(row[wl]).macs() * std::stoll(row[batch]));
  }
  EXPECT_NE(t.rows[0][macs], t.rows[2][macs]);  // lenet5, then mlp
}

TEST(SweepCommand, BadSpecAndBadOptionsAreUserErrors) {
  const std::string dir = dse::testing::scratch_dir("cli-bad");
  const std::string spec = dse::testing::write_fake_spec(dir, "[8]", "[8]", "timeout: 3\n");
  try {
    sweep({"--spec", spec});
    FAIL();
  } catch (const config::InputError& e) {
    EXPECT_EQ(e.diagnostics()[0].to_string(),
              spec + ":6:1: timeout: unknown key (did you mean 'timeout_s'?); known keys here: "
                     "arch, axes, mode, name, run_args, set, timeout_s, workload or zip");
  }
  EXPECT_THROW(sweep({"--spec", spec, "--jobs", "0"}), boost::program_options::error);
  EXPECT_THROW(sweep({"--spec", spec, "--jobs", "-1"}), boost::program_options::error);  // not 2^32 - 1
  EXPECT_THROW(sweep({"--spec", spec, "--progress", "fancy"}), boost::program_options::error);
  EXPECT_THROW(sweep({"--spec", dir + "/none.yaml"}), config::InputError);
  const std::string good = dse::testing::write_fake_spec(dir, "[8]", "[8]");
  EXPECT_THROW(sweep({"--spec", good, "--out", dir + "/o", "--only", "nope"}),
               boost::program_options::error);
}

TEST(SweepCommand, PlanListsPointsAsJson) {
  const std::string dir = dse::testing::scratch_dir("cli-plan");
  const std::string spec = dse::testing::write_fake_spec(dir, "[8, 16]", "[4, 8]");
  const Outcome o = sweep({"--spec", spec, "--out", dir + "/out", "--plan", "--qarch", "/x/qarch"});
  const auto plan = nlohmann::json::parse(o.out);
  ASSERT_EQ(plan["points"].size(), 4u);
  EXPECT_EQ(plan["points"][3]["values"]["pe_array.cols"], "8");
  EXPECT_EQ(plan["points"][3]["status"], "pending");
  EXPECT_EQ(plan["points"][0]["command"][0], "/x/qarch");
}

TEST(ParetoCommand, PrintsTheFrontAndNotesWhatWasLeftOut) {
  const std::string dir = dse::testing::scratch_dir("cli-pareto");
  dse::testing::write_text(dir + "/r.csv",
                           "point,status,energy_pj,top1\n0,ok,10,0.9\n1,ok,5,0.8\n2,ok,11,0.85\n"
                           "3,failed,,\n4,ok,,0.99\n");
  std::ostringstream out, err;
  EXPECT_EQ(run_pareto({"--results", dir + "/r.csv", "--maximize", "top1", "--minimize",
                        "energy_pj", "--out", dir + "/front.csv"},
                       out, err),
            0);
  EXPECT_EQ(out.str(), "point,status,energy_pj,top1\n0,ok,10,0.9\n1,ok,5,0.8\n");
  EXPECT_EQ(read_text(dir + "/front.csv"), out.str());
  EXPECT_NE(err.str().find("note: 1 of 5 rows are not status ok"), std::string::npos) << err.str();
  EXPECT_NE(err.str().find("note: 1 rows have no value for energy_pj"), std::string::npos);
  EXPECT_NE(err.str().find("pareto: 2 of 3 points are on the front"), std::string::npos);
  std::ostringstream o2, e2;
  EXPECT_THROW(run_pareto({"--results", dir + "/r.csv", "--minimize", "energy"}, o2, e2),
               config::InputError);
}

// --format table: aligned, units from the column names, the point, the objectives and what
// differs between the front's rows (or --columns); the --out file stays CSV.
TEST(ParetoCommand, ReadableTable) {
  const std::string dir = dse::testing::scratch_dir("cli-pareto-table");
  dse::testing::write_text(dir + "/r.csv",
                           "point,status,pe_array.rows,same,energy_pj,latency_s,top1\n"
                           "0,ok,16,x,2.5e9,1.2e-5,0.9\n1,ok,32,x,1.25e9,3.4e-5,0.8\n");
  std::ostringstream out, err;
  EXPECT_EQ(run_pareto({"--results", dir + "/r.csv", "--maximize", "top1", "--minimize", "energy_pj", "--format",
                        "table", "--out", dir + "/front.csv"},
                       out, err),
            0);
  EXPECT_EQ(out.str(),
            "point     top1  energy_pj  pe_array.rows  latency_s\n"
            "    0  90.00 %     2.5 mJ             16      12 us\n"
            "    1  80.00 %    1.25 mJ             32      34 us\n");
  EXPECT_EQ(read_text(dir + "/front.csv").rfind("point,status,", 0), 0u);
  std::ostringstream o2, e2;
  EXPECT_EQ(run_pareto({"--results", dir + "/r.csv", "--minimize", "energy_pj", "--format", "table", "--columns",
                        "same,energy_pj"},
                       o2, e2),
            0);
  EXPECT_EQ(o2.str(), "same  energy_pj\nx       1.25 mJ\n");
  std::ostringstream o3, e3;
  EXPECT_THROW(run_pareto({"--results", dir + "/r.csv", "--minimize", "energy_pj", "--format", "table", "--columns",
                           "nope"},
                          o3, e3),
               config::InputError);
}

TEST(ParetoCommand, ConstraintsFilterBeforeTheFront) {
  const std::string dir = dse::testing::scratch_dir("cli-pareto-constraint");
  dse::testing::write_text(dir + "/r.csv", "point,status,energy_pj,top1\n0,ok,10,0.9\n1,ok,5,0.8\n2,ok,11,0.95\n");
  std::ostringstream out, err;
  EXPECT_EQ(run_pareto({"--results", dir + "/r.csv", "--maximize", "top1", "--minimize", "energy_pj", "--constraint",
                        "top1 >= 0.85"},
                       out, err),
            0);
  EXPECT_EQ(out.str(), "point,status,energy_pj,top1\n0,ok,10,0.9\n2,ok,11,0.95\n");
  EXPECT_NE(err.str().find("note: 1 rows do not satisfy top1 >= 0.85"), std::string::npos) << err.str();
}

// The least energy at an accuracy floor; ties go to the first row; nothing feasible is exit 1.
TEST(BestCommand, PrintsTheBestRowUnderTheConstraints) {
  const std::string dir = dse::testing::scratch_dir("cli-best");
  dse::testing::write_text(dir + "/r.csv",
                           "point,status,energy_pj,top1,reference_top1\n0,ok,10,0.90,0.91\n1,ok,5,0.80,0.91\n"
                           "2,ok,8,0.905,0.91\n3,ok,8,0.91,0.91\n4,failed,,,0.91\n");
  std::ostringstream out, err;
  EXPECT_EQ(run_best({"--results", dir + "/r.csv", "--minimize", "energy_pj", "--constraint",
                      "top1 >= reference_top1 - 0.0101", "--format", "csv"},
                     out, err),
            0);
  EXPECT_EQ(out.str(), "point,status,energy_pj,top1,reference_top1\n2,ok,8,0.905,0.91\n");
  std::ostringstream table, e2;
  EXPECT_EQ(run_best({"--results", dir + "/r.csv", "--maximize", "top1"}, table, e2), 0);
  EXPECT_NE(table.str().find("point:          3\n"), std::string::npos) << table.str();
  std::ostringstream o3, e3;
  EXPECT_EQ(run_best({"--results", dir + "/r.csv", "--minimize", "energy_pj", "--constraint", "top1 > 1"}, o3, e3), 1);
  EXPECT_NE(e3.str().find("no row of"), std::string::npos) << e3.str();
  EXPECT_TRUE(o3.str().empty());
  std::ostringstream o4, e4;
  EXPECT_THROW(run_best({"--results", dir + "/r.csv", "--minimize", "energy_pj", "--maximize", "top1"}, o4, e4),
               boost::program_options::error);
}

TEST(SweepProcess, TerminatedSweepSaysHowToResumeAndResumes) {
  const std::string dir = dse::testing::scratch_dir("cli-term");
  const std::string spec = dse::testing::write_fake_spec(dir, "[2, 5, 7, 11]", "[3, 1, 4]");
  const std::string base = std::string(QARCH_EXE) + " sweep --spec " + spec +
                           " --jobs 2 --qarch " + dse::testing::fake_qarch();
  process(base + " --out " + dir + "/whole --quiet 2>/dev/null");
  const pid_t pid = ::fork();
  if (pid == 0) {
    const std::string cmd = base + " --out " + dir + "/term 2>" + dir + "/err.txt";
    ::execl("/bin/sh", "sh", "-c", ("exec " + cmd).c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    std::size_t done = 0;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir + "/term/points", ec)) {
      done += fs::exists(e.path() / "status.json");
    }
    if (done >= 3) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ::kill(pid, SIGTERM);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 130);
  const std::string err = read_text(dir + "/err.txt");
  EXPECT_NE(err.find("run the same command again to resume"), std::string::npos) << err;
  EXPECT_NE(err.find("pending"), std::string::npos);
  const Outcome resumed = process(base + " --out " + dir + "/term 2>&1");
  EXPECT_EQ(resumed.status, 0) << resumed.out;
  EXPECT_EQ(read_text(dir + "/term/results.csv"), read_text(dir + "/whole/results.csv"));
}

TEST(SweepProcess, BadSpecExitsTwoWithFileLineKey) {
  const std::string dir = dse::testing::scratch_dir("cli-exit");
  const std::string spec = dse::testing::write_fake_spec(dir, "[8]", "{from: 1, to: 4}");
  const Outcome o = process(std::string(QARCH_EXE) + " sweep --spec " + spec + " 2>&1");
  EXPECT_EQ(o.status, 2);
  EXPECT_EQ(o.out, "error: " + spec + ":5:18: axes.pe_array.cols.step: a range takes exactly one of "
                                      "'step' (arithmetic) or 'factor' (geometric)\n");
}

}  // namespace
}  // namespace qarch::cli
