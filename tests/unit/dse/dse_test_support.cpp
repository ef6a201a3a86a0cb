#include "dse_test_support.hpp"

#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>

namespace qarch::dse::testing {

namespace fs = std::filesystem;

std::string scratch_dir(const std::string& name) {
  const fs::path dir = fs::path(QARCH_BINARY_DIR) / "test-scratch" / "dse" / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir.string();
}

void write_text(const std::string& path, const std::string& text) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream out(path, std::ios::binary);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + path);
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::string source_path(const std::string& relative) {
  return (fs::path(QARCH_SOURCE_DIR) / relative).string();
}

std::string fake_qarch() { return source_path("tests/unit/dse/data/fake_qarch.sh"); }

std::string write_fake_spec(const std::string& dir, const std::string& rows,
                            const std::string& cols, const std::string& extra) {
  const std::string path = (fs::path(dir) / "spec.yaml").string();
  write_text(path, "arch: " + source_path("configs/tpu-like.yaml") + "\n" +
                       "workload: " + source_path("workloads/lenet5.yaml") + "\n" +
                       "axes:\n  pe_array.rows: " + rows + "\n  pe_array.cols: " + cols + "\n" +
                       extra);
  return path;
}

}  // namespace qarch::dse::testing
