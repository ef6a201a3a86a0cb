#include "cli_support.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>

#include "cli/app.hpp"

namespace qarch::cli::testing {
namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace

Outcome run_in_process(const std::vector<std::string>& args, const std::string& input) {
  std::istringstream in(input);
  std::ostringstream out, err;
  Outcome o;
  o.status = run_cli(args, in, out, err);
  o.out = out.str();
  o.err = err.str();
  return o;
}

Outcome run_process(const std::vector<std::string>& args) {
  const std::string dir = scratch_dir("process_" + std::to_string(::getpid()));
  const std::string out_path = dir + "/stdout";
  const std::string err_path = dir + "/stderr";
  const pid_t pid = ::fork();
  if (pid == 0) {
    if (!std::freopen(out_path.c_str(), "w", stdout) || !std::freopen(err_path.c_str(), "w", stderr) ||
        !std::freopen("/dev/null", "r", stdin)) {
      ::_exit(127);
    }
    ::setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1);
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(QARCH_EXE));
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execv(QARCH_EXE, argv.data());
    ::_exit(127);
  }
  int raw = 0;
  ::waitpid(pid, &raw, 0);
  Outcome o;
  o.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : 128 + WTERMSIG(raw);
  o.out = slurp(out_path);
  o.err = slurp(err_path);
  std::filesystem::remove_all(dir);
  return o;
}

std::string source_path(const std::string& relative) {
  return std::string(QARCH_SOURCE_DIR) + "/" + relative;
}

std::string scratch_dir(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / ("qarch_cli_test_" + name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir.string();
}

}  // namespace qarch::cli::testing
