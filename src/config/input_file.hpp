#pragma once
// Reading an input file the user named (a config, a workload, a results table): only a regular
// file, so that a device (/dev/zero), a FIFO or a directory is an error instead of a hang or an
// internal error, symbolic links followed.

#include <string>

namespace qarch::config {

// Throws InputError naming `path`: "no such file", "is a directory, expected <kind>", "is not a
// regular file (a device, FIFO or socket)", "cannot be read".
void check_input_file(const std::string& path, const std::string& kind);

// check_input_file, then the whole file.
std::string read_input_file(const std::string& path, const std::string& kind);

}  // namespace qarch::config
