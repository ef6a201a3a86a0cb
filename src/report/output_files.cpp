#include "report/output_files.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "report/render.hpp"

namespace qarch::report {

void write_file_atomically(const std::string& path, const std::string& contents) {
  const std::string temporary = path + ".tmp." + std::to_string(::getpid());
  std::FILE* file = std::fopen(temporary.c_str(), "wb");
  if (file == nullptr) {
    throw OutputError("cannot write " + path + ": " + std::strerror(errno));
  }
  const bool written = std::fwrite(contents.data(), 1, contents.size(), file) == contents.size();
  const bool flushed = std::fflush(file) == 0 && ::fsync(::fileno(file)) == 0;
  const bool closed = std::fclose(file) == 0;
  if (!written || !flushed || !closed) {
    const std::string why = std::strerror(errno);
    std::remove(temporary.c_str());
    throw OutputError("cannot write " + path + ": " + why);
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    const std::string why = std::strerror(errno);
    std::remove(temporary.c_str());
    throw OutputError("cannot write " + path + ": " + why);
  }
}

void write_report_files(const std::string& dir, const NetworkResult& result) {
  const std::vector<std::pair<std::string, std::string>> files = {
      {"layers.csv", render_csv(result)},
      {"summary.json", render_json(result)},
      {"report.md", render_markdown(result)},
  };
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec || !fs::is_directory(dir)) {
    throw OutputError("cannot create output directory " + dir + ": " +
                      (ec ? ec.message() : std::string("a file of that name exists")));
  }
  for (const auto& [name, contents] : files) {
    write_file_atomically((fs::path(dir) / name).string(), contents);
  }
}

}  // namespace qarch::report
