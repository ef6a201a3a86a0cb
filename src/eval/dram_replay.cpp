#include "eval/dram_replay.hpp"

#include <cmath>
#include <fstream>
#include <sstream>
#include <vector>

#include "config/diagnostic.hpp"
#include "config/input_file.hpp"
#include "sim/dram_controller.hpp"

namespace qarch::eval {

namespace {

[[noreturn]] void bad_line(const std::string& path, int line, const std::string& message) {
  throw config::InputError(config::Diagnostic{config::Location{path, line, 1}, "", message});
}

}  // namespace

DramReplay replay_trace(const arch::DramSpec& dram, const std::string& trace_path) {
  config::check_input_file(trace_path, "a DRAM trace");
  std::ifstream in(trace_path);
  if (!in) throw config::InputError(config::Diagnostic{config::Location{trace_path, 0, 0}, "", "cannot read the trace"});
  sim::DramController controller(dram);
  const std::int64_t burst = controller.burst_bytes();
  const std::int64_t per_request = std::max<std::int64_t>(1, (kTraceRequestBytes + burst - 1) / burst);
  std::vector<sim::DramRequest> bursts;
  std::vector<double> arrival_ns;
  std::vector<bool> is_read;
  DramReplay r;
  std::string text;
  int line = 0;
  double previous = 0;
  while (std::getline(in, text)) {
    ++line;
    if (const auto hash = text.find('#'); hash != std::string::npos) text.erase(hash);
    std::istringstream fields(text);
    std::string t, op, address;
    if (!(fields >> t)) continue;  // blank or comment
    if (!(fields >> op >> address) || (op != "R" && op != "W"))
      bad_line(trace_path, line, "expected '<arrival_ns> <R|W> <address>', got '" + text + "'");
    std::string extra;
    if (fields >> extra) bad_line(trace_path, line, "unexpected '" + extra + "' after the address");
    double ns = 0;
    std::uint64_t a = 0;
    try {
      std::size_t used = 0;
      ns = std::stod(t, &used);
      if (used != t.size() || !std::isfinite(ns) || ns < 0) throw std::invalid_argument(t);
      a = std::stoull(address, &used, 0);
      if (used != address.size()) throw std::invalid_argument(address);
    } catch (const std::exception&) {
      bad_line(trace_path, line, "expected a non-negative arrival in ns and an address, got '" + t + " " + op + " " + address + "'");
    }
    if (ns < previous) bad_line(trace_path, line, "arrivals must not decrease (" + t + " after " + std::to_string(previous) + ")");
    previous = ns;
    const auto cycle = static_cast<std::int64_t>(std::ceil(ns / dram.tck_ns - 1e-9));
    const auto base = static_cast<std::int64_t>(a) / kTraceRequestBytes * kTraceRequestBytes;
    for (std::int64_t k = 0; k < per_request; ++k)
      bursts.push_back(sim::DramRequest{base + k * burst, op == "W", cycle, 0});
    arrival_ns.push_back(ns);
    is_read.push_back(op == "R");
    ++r.requests;
    (op == "R" ? r.reads : r.writes) += 1;
  }
  if (bursts.empty()) return r;
  controller.serve(bursts);
  double latency = 0, last = 0;
  for (std::size_t i = 0; i < arrival_ns.size(); ++i) {
    std::int64_t done = 0;
    for (std::int64_t k = 0; k < per_request; ++k)
      done = std::max(done, bursts[i * static_cast<std::size_t>(per_request) + static_cast<std::size_t>(k)].done);
    const double done_ns = static_cast<double>(done) * dram.tck_ns;
    last = std::max(last, done_ns);
    if (is_read[i]) latency += done_ns - arrival_ns[i];
  }
  const sim::DramCounters& c = controller.counters();
  r.total_ns = last;
  r.gb_per_s = last > 0 ? static_cast<double>(r.requests * kTraceRequestBytes) / last : 0;
  r.avg_read_latency_ns = r.reads > 0 ? latency / static_cast<double>(r.reads) : 0;
  r.row_hit_rate = c.bursts > 0 ? static_cast<double>(c.row_hits) / static_cast<double>(c.bursts) : 0;
  r.refreshes = c.refreshes;
  return r;
}

}  // namespace qarch::eval
