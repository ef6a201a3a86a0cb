// Every input that once broke a parser (tests/fuzz/regressions/<target>/) and every shipped
// file, replayed through the fuzz harnesses: all must parse or fail with a user error.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "harness.hpp"

namespace qarch::fuzz {
namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void replay_dir(const fs::path& dir, Target target, std::size_t& count) {
  if (!fs::is_directory(dir)) return;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    SCOPED_TRACE(entry.path().string());
    target(slurp(entry.path()));
    ++count;
  }
}

const fs::path kRoot = QARCH_SOURCE_DIR;

TEST(FuzzRegressions, StoredInputsAreHandled) {
  std::size_t count = 0;
  for (const auto& t : targets()) replay_dir(kRoot / "tests/fuzz/regressions" / t.name, t.run, count);
  RecordProperty("inputs", static_cast<int>(count));
}

TEST(FuzzRegressions, ShippedFilesAreSeedsThatParse) {
  std::size_t count = 0;
  replay_dir(kRoot / "configs", &arch_yaml, count);
  replay_dir(kRoot / "workloads", &workload_yaml, count);
  replay_dir(kRoot / "tests/data/scalesim-v2-resnet50", &scalesim_csv, count);
  replay_dir(kRoot / "workloads/fashion/weights", &npy_file, count);
  EXPECT_GT(count, 10u);
}

TEST(FuzzRegressions, HandWrittenNastyInputs) {
  for (const auto& t : targets()) {
    SCOPED_TRACE(t.name);
    t.run("");
    t.run(std::string(1, '\0'));
    t.run(std::string(5000, '['));
    t.run("a: &x [*x]\n");
    t.run("a: !!binary AAAA\n");
    t.run("\xff\xfe\xfd");
    t.run("pe_array.rows=99999999999999999999999");
    t.run("h\nc,1,1,1,1,1,1,1,1,1,1\n");
    t.run("fp<99999999999,1>");
    t.run("posit<8,-1>");
  }
}

}  // namespace
}  // namespace qarch::fuzz
