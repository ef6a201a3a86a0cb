#include "report/output_files.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>

namespace qarch::report {
namespace {

namespace fs = std::filesystem;

fs::path fresh_dir(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("qarch_output_test_" + name);
  fs::remove_all(dir);
  return dir;
}

std::string read(const fs::path& p) {
  std::ifstream in(p);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

TEST(OutputFiles, WritesTheThreeFilesAndNoTemporaries) {
  const fs::path dir = fresh_dir("ok") / "nested";
  NetworkResult r;
  r.network_name = "n";
  write_report_files(dir.string(), r);
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"layers.csv", "report.md", "summary.json"}));
  EXPECT_NE(read(dir / "summary.json").find("\"macs\": 0"), std::string::npos);
}

TEST(OutputFiles, ReplacesAnOldFileWhole) {
  const fs::path dir = fresh_dir("replace");
  fs::create_directories(dir);
  write_file_atomically((dir / "f.txt").string(), std::string(100000, 'a'));
  write_file_atomically((dir / "f.txt").string(), "short");
  EXPECT_EQ(read(dir / "f.txt"), "short");
}

// A symbolic link planted where a temporary could be named (the old "<file>.tmp.<pid>") or at
// the target itself never redirects the write into the file it points to.
TEST(OutputFiles, PlantedLinksDoNotRedirectTheWrite) {
  const fs::path dir = fresh_dir("links");
  fs::create_directories(dir);
  const fs::path victim = dir / "victim.txt";
  std::ofstream(victim) << "precious";
  fs::create_symlink(victim, dir / ("summary.json.tmp." + std::to_string(::getpid())));
  fs::create_symlink(victim, dir / "layers.csv");
  NetworkResult r;
  r.network_name = "n";
  write_report_files(dir.string(), r);
  EXPECT_EQ(read(victim), "precious");
  EXPECT_FALSE(fs::is_symlink(dir / "layers.csv"));  // replaced by the new file
  EXPECT_NE(read(dir / "summary.json").find("\"macs\": 0"), std::string::npos);
  const auto mode = fs::status(dir / "summary.json").permissions();
  EXPECT_NE(mode & fs::perms::owner_read, fs::perms::none);
  EXPECT_NE(mode & fs::perms::others_read, fs::perms::none) << "a plain create's mode (umask 022)";
}

TEST(OutputFiles, UnusableDirectoryIsAnErrorAndWritesNothing) {
  const fs::path base = fresh_dir("blocked");
  fs::create_directories(base);
  std::ofstream(base / "taken") << "a file where the directory should be";
  EXPECT_THROW(write_report_files((base / "taken").string(), NetworkResult{}), OutputError);
  EXPECT_THROW(write_report_files((base / "taken" / "sub").string(), NetworkResult{}), OutputError);
  EXPECT_THROW(write_file_atomically((base / "missing" / "f.txt").string(), "x"), OutputError);
  std::size_t entries = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(base)) ++entries;
  EXPECT_EQ(entries, 1u);  // only "taken": no temporaries left behind
}

}  // namespace
}  // namespace qarch::report
