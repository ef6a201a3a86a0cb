#pragma once
// The DRAM keys shared by device files (models/dram/*.yaml, every key required) and the
// architecture's memory.dram (every key optional, overriding the device). Internal to arch/.

#include <optional>
#include <string>

#include "arch/arch_spec.hpp"
#include "config/map_reader.hpp"

namespace qarch::arch {

// Reads the device keys of `r` into `d`; with `required` every key must be present, else each
// falls back to d's value.
void read_dram_fields(config::MapReader& r, DramSpec& d, bool required);

// What is wrong with an address map ("row,rank,channel,bank,column,bankgroup"), or "".
std::string address_map_problem(const std::string& map);

// The device file named `name` or declaring it as an alias.
std::optional<std::string> find_dram_device(const std::string& models_dir, const std::string& name);

}  // namespace qarch::arch
