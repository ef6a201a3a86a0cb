#include "report/output_files.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <vector>

#include "report/render.hpp"

namespace qarch::report {

namespace {

// A new file beside `path` that nobody else can have planted: mkstemp creates it with O_EXCL
// under a random name (never following a symbolic link), then the mode a plain create would have.
std::FILE* create_temporary(const std::string& path, std::string& temporary) {
  std::vector<char> name(path.begin(), path.end());
  for (const char c : std::string(".tmp.XXXXXX")) name.push_back(c);
  name.push_back('\0');
  const int fd = ::mkstemp(name.data());
  if (fd < 0) return nullptr;
  temporary = name.data();
  const ::mode_t mask = ::umask(0);
  ::umask(mask);
  ::fchmod(fd, 0666 & ~mask);
  std::FILE* file = ::fdopen(fd, "wb");
  if (file == nullptr) {
    ::close(fd);
    std::remove(temporary.c_str());
  }
  return file;
}

}  // namespace

void write_file_atomically(const std::string& path, const std::string& contents) {
  std::string temporary;
  std::FILE* file = create_temporary(path, temporary);
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
  // rename replaces `path` itself, a symbolic link there included, never the file it points to.
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
