#include "config/input_file.hpp"

#include <filesystem>
#include <fstream>
#include <iterator>

#include "config/diagnostic.hpp"

namespace qarch::config {

void check_input_file(const std::string& path, const std::string& kind) {
  namespace fs = std::filesystem;
  const auto fail = [&](const std::string& why) { throw InputError(Diagnostic{Location{path}, "", why}); };
  if (path.empty()) throw InputError(Diagnostic{Location{"(empty path)"}, "", "no file named; expected " + kind});
  std::error_code ec;
  const fs::file_status status = fs::status(path, ec);  // follows symbolic links
  if (ec || !fs::exists(status)) fail("no such file");
  if (fs::is_directory(status)) fail("is a directory, expected " + kind);
  if (!fs::is_regular_file(status)) fail("is not a regular file (a device, FIFO or socket), expected " + kind);
}

std::string read_input_file(const std::string& path, const std::string& kind) {
  check_input_file(path, kind);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(Diagnostic{Location{path}, "", "cannot be read"});
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw InputError(Diagnostic{Location{path}, "", "cannot be read"});
  return text;
}

}  // namespace qarch::config
