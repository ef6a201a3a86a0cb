#pragma once
// Helpers for the dse tests: scratch directories, files, the fake qarch, forked sweeps.

#include <string>
#include <vector>

namespace qarch::dse::testing {

std::string scratch_dir(const std::string& name);  // fresh and empty, under the build tree
void write_text(const std::string& path, const std::string& text);
std::string read_text(const std::string& path);
std::string source_path(const std::string& relative);  // QARCH_SOURCE_DIR/relative

// A stand-in for `qarch run` (a shell script in tests/unit/dse/data): it writes a
// summary.json whose macs = rows * cols, fails for rows = 13, hangs for rows = 99, and sleeps
// a point-dependent time so that points finish out of order.
std::string fake_qarch();

// A spec over the fake qarch's axes, written to `dir`/spec.yaml; returns its path.
std::string write_fake_spec(const std::string& dir, const std::string& rows,
                            const std::string& cols, const std::string& extra = "");

}  // namespace qarch::dse::testing
