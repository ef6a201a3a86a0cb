// qarch-func-eval: a thin client of run_functional for scripts (scripts/functional_table.py)
// until `qarch run --functional` is wired: prints the FunctionalResult as JSON on stdout.
//
// qarch-func-eval --arch FILE --workload FILE [--set KEY=VALUE]... [--dataset DIR] [--limit N]
//                 [--per-channel]
// Exit 0 on success, 2 on a user error (message on stderr starting with "error:").

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "arch/arch_spec.hpp"
#include "config/diagnostic.hpp"
#include "config/document.hpp"
#include "func/functional_run.hpp"
#include "workload/network.hpp"

namespace {

std::string number(double v) {
  if (!std::isfinite(v)) return "null";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

std::string quoted(const std::string& s) { return "\"" + s + "\""; }

[[noreturn]] void usage_error(const std::string& message) {
  throw qarch::config::InputError(
      qarch::config::Diagnostic{qarch::config::Location{"qarch-func-eval", 0, 0}, "", message});
}

}  // namespace

int main(int argc, char** argv) {
  using namespace qarch;
  std::string arch_file, workload_file;
  std::vector<config::Override> overrides;
  func::FunctionalOptions options;
  try {
    for (int i = 1; i < argc; ++i) {
      const std::string a = argv[i];
      const auto next = [&]() -> std::string {
        if (i + 1 >= argc) usage_error(a + " needs a value");
        return argv[++i];
      };
      if (a == "--arch") arch_file = next();
      else if (a == "--workload") workload_file = next();
      else if (a == "--set") overrides.push_back(config::Override::parse(next()));
      else if (a == "--dataset") options.dataset_dir = next();
      else if (a == "--limit") options.limit = std::stoll(next());
      else if (a == "--per-channel") options.per_channel = true;
      else usage_error("unknown option " + a);
    }
    if (arch_file.empty() || workload_file.empty()) {
      usage_error("--arch and --workload are required");
    }
    const arch::ArchSpec spec = arch::load_arch(arch_file, overrides);
    const workload::Network net = workload::load_network(workload_file);
    const func::FunctionalResult r = func::run_functional(spec, net, options);
    std::printf("{\"top1\": %s, \"images\": %lld, \"reference_top1\": %s, \"layers\": [",
                number(r.top1).c_str(), static_cast<long long>(r.images), number(r.reference_top1).c_str());
    for (std::size_t i = 0; i < r.layers.size(); ++i) {
      const func::LayerValueStats& s = r.layers[i];
      std::printf(
          "%s\n  {\"name\": %s, \"macs\": %lld, \"zero_weight_operands\": %lld, "
          "\"zero_activation_operands\": %lld, \"zero_operand_macs\": %lld, \"zero_gated_macs\": %lld, "
          "\"saturated_values\": %lld, \"overflowed_accumulations\": %lld, \"sqnr_db\": %s, "
          "\"accumulation_order\": %s}",
          i ? "," : "", quoted(s.name).c_str(), static_cast<long long>(s.macs),
          static_cast<long long>(s.zero_weight_operands), static_cast<long long>(s.zero_activation_operands),
          static_cast<long long>(s.zero_operand_macs), static_cast<long long>(s.zero_gated_macs),
          static_cast<long long>(s.saturated_values), static_cast<long long>(s.overflowed_accumulations),
          number(s.sqnr_db).c_str(), quoted(s.accumulation_order).c_str());
    }
    std::printf("\n]}\n");
  } catch (const config::InputError& e) {
    for (const auto& d : e.diagnostics()) std::fprintf(stderr, "error: %s\n", d.to_string().c_str());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 2;
  }
  return 0;
}
