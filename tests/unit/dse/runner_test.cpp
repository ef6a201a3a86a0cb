#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <sstream>
#include <thread>

#include "config/diagnostic.hpp"
#include "dse/csv.hpp"
#include "dse/sweep_runner.hpp"
#include "dse/sweep_store.hpp"
#include "dse_test_support.hpp"

namespace qarch::dse {
namespace {

namespace fs = std::filesystem;
using testing::read_text;

SweepOptions fake_options(const std::string& out, unsigned jobs) {
  SweepOptions o;
  o.out_dir = out;
  o.qarch_exe = testing::fake_qarch();
  o.jobs = jobs;
  o.progress = ProgressMode::Quiet;
  return o;
}

SweepReport run_sweep(const std::string& spec_path, const SweepOptions& options) {
  Sweep sweep(load_sweep_spec(spec_path), options);
  std::ostringstream log;
  return sweep.run(log);
}

std::size_t finished_points(const std::string& out) {
  std::size_t n = 0;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(fs::path(out) / "points", ec)) {
    n += fs::exists(e.path() / "status.json");
  }
  return n;
}

// 4 x 3 points; rows = 13 fails.
const char* kRows = "[2, 13, 5, 7]";
const char* kCols = "[3, 1, 4]";

TEST(Runner, ResultsAreTheSameWhateverJobsAndCompletionOrder) {
  const std::string dir = testing::scratch_dir("jobs");
  const std::string spec = testing::write_fake_spec(dir, kRows, kCols);
  const SweepReport one = run_sweep(spec, fake_options(dir + "/one", 1));
  const SweepReport four = run_sweep(spec, fake_options(dir + "/four", 4));
  EXPECT_EQ(one.points, 12u);
  EXPECT_EQ(one.ok, 9u);
  EXPECT_EQ(one.failed, 3u);
  EXPECT_EQ(four.ran, 12u);
  const std::string csv = read_text(dir + "/one/results.csv");
  EXPECT_EQ(csv, read_text(dir + "/four/results.csv"));

  const CsvTable t = parse_csv(csv, "results.csv");
  ASSERT_EQ(t.rows.size(), 12u);
  const std::size_t status = *t.column("status"), macs = *t.column("macs"),
                    energy = *t.column("energy_pj"), error = *t.column("error");
  for (std::size_t i = 0; i < t.rows.size(); ++i) {
    const auto& row = t.rows[i];
    EXPECT_EQ(row[0], std::to_string(i));
    const int rows = std::stoi(row[2]), cols = std::stoi(row[3]);
    if (rows == 13) {
      EXPECT_EQ(row[status], "failed");
      EXPECT_EQ(row[error], "--set pe_array.rows=13: pe_array.rows: unlucky, \"quoted\", with a comma");
      EXPECT_EQ(row[macs], "");
    } else {
      EXPECT_EQ(row[status], "ok");
      EXPECT_EQ(row[macs], std::to_string(rows * cols));
      EXPECT_DOUBLE_EQ(std::stod(row[energy]), rows * cols / 3.0);
      EXPECT_EQ(row[*t.column("total_cycles")], "");  // null in the summary
      EXPECT_EQ(row[*t.column("energy_breakdown_pj.dram")], "0.25");
      EXPECT_EQ(row[error], "");
    }
  }
}

TEST(Runner, ResumeSkipsFinishedPointsAndRetriesOnlyWhenAsked) {
  const std::string dir = testing::scratch_dir("resume");
  const std::string spec = testing::write_fake_spec(dir, kRows, kCols);
  const std::string out = dir + "/out";
  EXPECT_EQ(run_sweep(spec, fake_options(out, 2)).ran, 12u);
  const std::string first = read_text(out + "/results.csv");
  const auto stamp = fs::last_write_time(out + "/points/" + expand_points(load_sweep_spec(spec))[0].id +
                                         "/status.json");
  const SweepReport again = run_sweep(spec, fake_options(out, 2));
  EXPECT_EQ(again.ran, 0u);
  EXPECT_EQ(again.already, 12u);
  EXPECT_EQ(read_text(out + "/results.csv"), first);
  EXPECT_EQ(fs::last_write_time(out + "/points/" + expand_points(load_sweep_spec(spec))[0].id +
                                "/status.json"),
            stamp);
  SweepOptions retry = fake_options(out, 2);
  retry.retry_failed = true;
  const SweepReport retried = run_sweep(spec, retry);
  EXPECT_EQ(retried.ran, 3u);  // the rows = 13 points, which fail again
  EXPECT_EQ(read_text(out + "/results.csv"), first);

  // A value added to an axis runs just the new points; the old ones keep their results.
  testing::write_fake_spec(dir, "[2, 13, 5, 7, 8]", kCols);
  const SweepReport grown = run_sweep(spec, fake_options(out, 2));
  EXPECT_EQ(grown.ran, 3u);
  EXPECT_EQ(grown.points, 15u);
}

TEST(Runner, AChangedSpecIsRefusedUnlessRestarted) {
  const std::string dir = testing::scratch_dir("changed");
  const std::string spec = testing::write_fake_spec(dir, "[2, 5]", "[3]");
  const std::string out = dir + "/out";
  run_sweep(spec, fake_options(out, 2));
  testing::write_fake_spec(dir, "[2, 5]", "[3]", "set: {memory.ideal: true}\n");
  try {
    run_sweep(spec, fake_options(out, 2));
    FAIL() << "expected a refusal";
  } catch (const config::InputError& e) {
    const std::string text = e.what();
    EXPECT_NE(text.find("the 2 finished points in " + out + " were run with a different sweep: "
                        "set was {}, now {\"memory.ideal\":\"true\"}"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("--restart"), std::string::npos);
  }
  SweepOptions restart = fake_options(out, 2);
  restart.restart = true;
  EXPECT_EQ(run_sweep(spec, restart).ran, 2u);
}

// Two sweeps on one directory at once would mix their results: while another process holds
// the directory's lock a sweep is refused, and it may go once that process has gone (however it
// ended: the lock is the process's).
TEST(Runner, ASecondSweepOnTheSameDirectoryIsRefusedWhileTheFirstRuns) {
  const std::string dir = testing::scratch_dir("locked");
  const std::string spec = testing::write_fake_spec(dir, "[2]", "[3]");
  const std::string out = dir + "/out";
  const nlohmann::ordered_json fingerprint = spec_fingerprint(load_sweep_spec(spec));
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  const pid_t holder = ::fork();
  ASSERT_GE(holder, 0);
  if (holder == 0) {  // another sweep's process: takes the lock and waits to be killed
    SweepStore first(out);
    first.open(fingerprint, false);
    const char byte = 1;
    if (::write(ready[1], &byte, 1) != 1) ::_exit(1);
    ::pause();
    ::_exit(0);
  }
  char byte = 0;
  ASSERT_EQ(::read(ready[0], &byte, 1), 1);
  try {
    run_sweep(spec, fake_options(out, 1));
    ADD_FAILURE() << "a second sweep ran beside the first";
  } catch (const config::InputError& e) {
    EXPECT_NE(std::string(e.what()).find("another qarch sweep is running on this directory"), std::string::npos)
        << e.what();
  }
  SweepOptions worker = fake_options(out, 1);  // a distributed worker is refused too
  worker.only = {expand_points(load_sweep_spec(spec)).front().id};
  EXPECT_THROW(run_sweep(spec, worker), config::InputError);
  ::kill(holder, SIGKILL);
  int status = 0;
  ::waitpid(holder, &status, 0);
  ::close(ready[0]);
  ::close(ready[1]);
  EXPECT_EQ(run_sweep(spec, fake_options(out, 1)).ran, 1u);
}

// Workers of a distributed sweep (--only) run side by side on one directory.
TEST(Runner, OnlyRunsShareTheDirectory) {
  const std::string dir = testing::scratch_dir("shared");
  const std::string spec = testing::write_fake_spec(dir, "[2, 5]", "[3]");
  const std::string out = dir + "/out";
  const nlohmann::ordered_json fingerprint = spec_fingerprint(load_sweep_spec(spec));
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  const pid_t holder = ::fork();
  ASSERT_GE(holder, 0);
  if (holder == 0) {  // another worker, holding its shared lock
    SweepStore other(out);
    other.open(fingerprint, false, false);
    const char byte = 1;
    if (::write(ready[1], &byte, 1) != 1) ::_exit(1);
    ::pause();
    ::_exit(0);
  }
  char byte = 0;
  ASSERT_EQ(::read(ready[0], &byte, 1), 1);
  SweepOptions worker = fake_options(out, 1);
  worker.only = {expand_points(load_sweep_spec(spec)).front().id};
  EXPECT_EQ(run_sweep(spec, worker).ran, 1u);
  ::kill(holder, SIGKILL);
  int status = 0;
  ::waitpid(holder, &status, 0);
  ::close(ready[0]);
  ::close(ready[1]);
}

TEST(Runner, TimeoutsAreRecordedAndTheSweepGoesOn) {
  const std::string dir = testing::scratch_dir("timeout");
  const std::string spec = testing::write_fake_spec(dir, "[2, 99]", "[3]", "timeout_s: 0.5\n");
  const auto start = std::chrono::steady_clock::now();
  const SweepReport r = run_sweep(spec, fake_options(dir + "/out", 2));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  EXPECT_EQ(r.ok, 1u);
  EXPECT_EQ(r.timed_out, 1u);
  const CsvTable t = read_csv_file(dir + "/out/results.csv");
  EXPECT_EQ(t.rows[1][*t.column("status")], "timeout");
  EXPECT_EQ(t.rows[1][*t.column("error")], "timed out after 0.5 s");
}

TEST(Runner, AMissingExecutableFailsEachPointWithAReason) {
  const std::string dir = testing::scratch_dir("noexe");
  const std::string spec = testing::write_fake_spec(dir, "[2]", "[3]");
  SweepOptions o = fake_options(dir + "/out", 1);
  o.qarch_exe = dir + "/no-such-qarch";
  EXPECT_EQ(run_sweep(spec, o).failed, 1u);
  const CsvTable t = read_csv_file(dir + "/out/results.csv");
  EXPECT_EQ(t.rows[0][*t.column("error")], "cannot run " + dir + "/no-such-qarch: no such file");
}

// Runs the sweep in a forked process, kills it with `signal` once `after` points finished,
// and returns how it ended.
int sweep_and_kill(const std::string& spec, const std::string& out, int signal, std::size_t after) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    try {
      Sweep sweep(load_sweep_spec(spec), fake_options(out, 2));
      std::ostringstream log;
      ::_exit(sweep.run(log).interrupted ? 130 : 0);
    } catch (...) {
      ::_exit(3);
    }
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (finished_points(out) < after && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ::kill(pid, signal);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return status;
}

TEST(Runner, KilledSweepResumesToTheUninterruptedResult) {
  const std::string dir = testing::scratch_dir("kill");
  const std::string spec = testing::write_fake_spec(dir, "[2, 13, 5, 7, 11]", "[3, 1, 4]");
  run_sweep(spec, fake_options(dir + "/whole", 2));

  const int status = sweep_and_kill(spec, dir + "/killed", SIGKILL, 4);
  ASSERT_TRUE(WIFSIGNALED(status));
  const std::size_t kept = finished_points(dir + "/killed");
  EXPECT_GE(kept, 4u);
  EXPECT_LT(kept, 15u) << "the sweep ended before it was killed; the test proves nothing";
  // Whatever results.csv the kill left is whole: a header and one row per point.
  EXPECT_EQ(read_csv_file(dir + "/killed/results.csv").rows.size(), 15u);
  for (const auto& e : fs::directory_iterator(dir + "/killed")) {
    EXPECT_EQ(e.path().filename().string().find(".tmp."), std::string::npos) << e.path();
  }

  const SweepReport resumed = run_sweep(spec, fake_options(dir + "/killed", 2));
  EXPECT_EQ(resumed.already, kept);
  EXPECT_EQ(resumed.ran, 15u - kept);
  EXPECT_EQ(read_text(dir + "/killed/results.csv"), read_text(dir + "/whole/results.csv"));
}

TEST(Runner, InterruptStopsRunningPointsWithoutRecordingThemAsFailed) {
  const std::string dir = testing::scratch_dir("interrupt");
  const std::string spec = testing::write_fake_spec(dir, "[2, 5, 7, 11, 17]", "[3, 1, 4]");
  run_sweep(spec, fake_options(dir + "/whole", 2));
  const int status = sweep_and_kill(spec, dir + "/stopped", SIGINT, 3);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 130);
  const CsvTable t = read_csv_file(dir + "/stopped/results.csv");
  std::size_t pending = 0;
  for (const auto& row : t.rows) {
    const std::string& s = row[*t.column("status")];
    EXPECT_TRUE(s == "ok" || s == "pending") << s << ": " << row.back();
    pending += s == "pending";
  }
  EXPECT_GT(pending, 0u);
  EXPECT_EQ(run_sweep(spec, fake_options(dir + "/stopped", 2)).ran, pending);
  EXPECT_EQ(read_text(dir + "/stopped/results.csv"), read_text(dir + "/whole/results.csv"));
}

TEST(Runner, OnlyRunsTheGivenPointsAndLeavesResultsAlone) {
  const std::string dir = testing::scratch_dir("only");
  const std::string spec = testing::write_fake_spec(dir, "[2, 5]", "[3, 4]");
  const auto points = expand_points(load_sweep_spec(spec));
  SweepOptions o = fake_options(dir + "/out", 2);
  o.only = {points[1].id, points[3].id};
  EXPECT_EQ(run_sweep(spec, o).ran, 2u);
  EXPECT_FALSE(fs::exists(dir + "/out/results.csv"));
  Sweep sweep(load_sweep_spec(spec), fake_options(dir + "/out", 2));
  sweep.collect();
  const CsvTable t = read_csv_file(dir + "/out/results.csv");
  EXPECT_EQ(t.rows[0][*t.column("status")], "pending");
  EXPECT_EQ(t.rows[1][*t.column("status")], "ok");
  EXPECT_EQ(t.rows[3][*t.column("macs")], "20");
  const auto plan = nlohmann::json::parse(sweep.plan_json());
  EXPECT_EQ(plan["points"].size(), 4u);
  EXPECT_EQ(plan["points"][1]["status"], "ok");
  EXPECT_EQ(plan["points"][0]["command"][1], "run");
}

TEST(Runner, RealQarchRunsLenetPointsAndRecordsABadValue) {
  const std::string dir = testing::scratch_dir("real");
  const std::string spec = testing::write_fake_spec(dir, "[8, 0]", "[16]",
                                                    "set: {pe_array.dataflow: os}\n");
  SweepOptions o = fake_options(dir + "/out", 2);
  o.qarch_exe = QARCH_EXE;
  const SweepReport r = run_sweep(spec, o);
  EXPECT_EQ(r.ok, 1u);
  EXPECT_EQ(r.failed, 1u);
  const CsvTable t = read_csv_file(dir + "/out/results.csv");
  EXPECT_EQ(t.rows[0][*t.column("macs")], "416520");  // lenet5, whatever the array
  EXPECT_NE(t.rows[0][*t.column("weight_bytes")], "");
  EXPECT_NE(t.rows[1][*t.column("error")].find("pe_array.rows"), std::string::npos)
      << t.rows[1].back();
  const auto summary = nlohmann::json::parse(
      read_text(dir + "/out/points/" + t.rows[0][1] + "/summary.json"));
  EXPECT_EQ(summary["arch"]["dataflow"], "os");
  EXPECT_EQ(summary["arch"]["pe_rows"], 8);
}

TEST(Progress, FormatsDurationsAndBars) {
  EXPECT_EQ(format_duration(7.4), "0:07");
  EXPECT_EQ(format_duration(723), "12:03");
  EXPECT_EQ(format_duration(7509), "2:05:09");
  EXPECT_EQ(format_duration(-1), "?");
  EXPECT_EQ(render_bar(5, 10, 10), "[#####.....] 5/10  50%");
  EXPECT_EQ(render_bar(0, 0, 4), "[####] 0/0 100%");
}

TEST(Progress, LinesModeWritesOneLinePerPoint) {
  std::ostringstream out;
  Progress p(out, ProgressMode::Lines, 2, 3, 5);
  p.finished("ok #3", false);
  p.tick(1);
  p.finished("FAILED #4: x", true);
  p.close();
  EXPECT_EQ(out.str(), "[4/5] ok #3\n[5/5] FAILED #4: x\n");
  std::ostringstream quiet;
  Progress q(quiet, ProgressMode::Quiet, 1, 0, 1);
  q.finished("ok", false);
  q.close();
  EXPECT_EQ(quiet.str(), "");
}

}  // namespace
}  // namespace qarch::dse
