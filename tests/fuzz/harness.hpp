#pragma once
// One fuzz target per parser of user input. Each feeds arbitrary bytes to the parser and
// returns normally when it either succeeds or rejects the input with a user error
// (config::InputError, numerics::FormatError); anything else -- another exception, a crash, a
// sanitizer report, a broken invariant (abort) -- is a bug. The same functions run under
// libFuzzer (fuzz_entry.cpp) and, over the stored regression inputs, under GoogleTest.

#include <string>
#include <string_view>
#include <vector>

namespace qarch::fuzz {

using Target = void (*)(std::string_view input);

void arch_yaml(std::string_view input);      // architecture YAML
void workload_yaml(std::string_view input);  // network YAML
void scalesim_csv(std::string_view input);   // SCALE-Sim topology
void format_string(std::string_view input);  // number format and multiplier style names
void set_override(std::string_view input);   // --set KEY=VALUE lines applied to a valid config
void npy_file(std::string_view input);       // NumPy .npy weights
void idx_file(std::string_view input);       // IDX datasets (plain or gzip)

struct NamedTarget {
  const char* name;
  Target run;
};
const std::vector<NamedTarget>& targets();

}  // namespace qarch::fuzz
