#include "harness.hpp"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "arch/arch_spec.hpp"
#include "config/document.hpp"
#include "numerics/format.hpp"
#include "numerics/multiplier.hpp"
#include "workload/idx_reader.hpp"
#include "workload/npy_reader.hpp"
#include "workload/scalesim_csv_loader.hpp"
#include "workload/yaml_network_loader.hpp"

namespace qarch::fuzz {
namespace {

template <typename Body>
void expect_user_error_or_success(Body body) {
  try {
    body();
  } catch (const config::InputError& e) {
    if (e.diagnostics().empty()) std::abort();  // an error must say something
  } catch (const numerics::FormatError&) {
  }
}

void check(bool condition, const char* what) {
  if (!condition) {
    std::cerr << "fuzz invariant broken: " << what << "\n";
    std::abort();
  }
}

const char* const kBaseArch = R"(name: base
clock_ghz: 1
pe_array: {rows: 8, cols: 8, dataflow: ws, weight_format: int8, activation_format: int8}
buffers:
  weight: {size_kib: 16}
  input: {size_kib: 16}
  output: {size_kib: 16}
memory:
  dram: {type: lpddr4}
)";

}  // namespace

void arch_yaml(std::string_view input) {
  expect_user_error_or_success([&] {
    arch::parse_arch(config::Document::parse(std::string(input), "fuzz.yaml"));
  });
}

void workload_yaml(std::string_view input) {
  expect_user_error_or_success([&] {
    const auto net = workload::load_yaml_network(config::Document::parse(std::string(input), "fuzz.yaml"));
    check(!net.layers.empty(), "a loaded network has layers");
    for (const auto& l : net.layers) check(l.macs() >= 0 && l.output.elements() > 0, "shapes are positive");
  });
}

void scalesim_csv(std::string_view input) {
  expect_user_error_or_success([&] {
    const auto net = workload::parse_scalesim_csv(std::string(input), "fuzz.csv");
    for (const auto& l : net.layers) check(l.macs() > 0, "every topology layer has MACs");
  });
}

void format_string(std::string_view input) {
  expect_user_error_or_success([&] {
    const auto format = numerics::Format::parse(input);
    check(format.to_string() == input, "to_string(parse(s)) == s");
    check(numerics::Format::parse(format.to_string()) == format, "parse(to_string(f)) == f");
  });
  expect_user_error_or_success([&] {
    const auto style = numerics::MultiplierStyle::parse(input);
    check(style.to_string() == input, "multiplier to_string(parse(s)) == s");
  });
}

void set_override(std::string_view input) {
  expect_user_error_or_success([&] {
    std::vector<config::Override> overrides;
    std::size_t start = 0;
    while (start <= input.size()) {
      const std::size_t end = std::min(input.find('\n', start), input.size());
      overrides.push_back(config::Override::parse(input.substr(start, end - start)));
      start = end + 1;
    }
    config::Document doc = config::Document::parse(kBaseArch, "base.yaml");
    doc.apply(overrides);
    arch::parse_arch(doc);
  });
}

void npy_file(std::string_view input) {
  expect_user_error_or_success([&] {
    const auto array = workload::parse_npy(std::string(input), "fuzz.npy", 1 << 20);
    check(static_cast<std::int64_t>(array.data.size()) == array.elements(), "data matches the shape");
    // What qarch writes it reads back unchanged.
    const auto again = workload::parse_npy(workload::npy_bytes(array), "again.npy", 1 << 20);
    check(again.shape == array.shape && workload::npy_bytes(again) == workload::npy_bytes(array),
          "npy round trip (compared as bytes: NaN payloads included)");
  });
}

void idx_file(std::string_view input) {
  // The IDX reader takes a path: one scratch file per process.
  static const std::string path = std::filesystem::temp_directory_path() /
                                  ("qarch_fuzz_idx_" + std::to_string(::getpid()));
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(input.data(), static_cast<std::streamsize>(input.size()));
  }
  expect_user_error_or_success([&] {
    const auto array = workload::read_idx(path, 16, 1 << 20);
    std::int64_t expected = array.dims.empty() ? 0 : array.dims[0] * array.item_elements();
    check(static_cast<std::int64_t>(array.data.size()) == expected, "data matches the header");
  });
}

const std::vector<NamedTarget>& targets() {
  static const std::vector<NamedTarget> all = {
      {"arch_yaml", &arch_yaml},         {"workload_yaml", &workload_yaml},
      {"scalesim_csv", &scalesim_csv},   {"format_string", &format_string},
      {"set_override", &set_override},  {"npy_file", &npy_file},
      {"idx_file", &idx_file},
  };
  return all;
}

}  // namespace qarch::fuzz
