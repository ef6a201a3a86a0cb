#pragma once
// Writing result files so that a reader never sees half of one: each file is written to a
// temporary name in the same directory and renamed over the old one (rename is atomic on POSIX).

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "report/network_result.hpp"

namespace qarch::report {

class OutputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Writes `contents` to `path` atomically. Throws OutputError when the directory is missing or
// not writable; the old file, if any, is then left untouched.
void write_file_atomically(const std::string& path, const std::string& contents);

// Creates `dir` if needed and writes layers.csv, summary.json and report.md. Everything is
// rendered before the first file is touched, so an error leaves no new file behind.
void write_report_files(const std::string& dir, const NetworkResult& result);

}  // namespace qarch::report
