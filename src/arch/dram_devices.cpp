// DRAM devices as data (models/dram/*.yaml) and the architecture's overrides of them.

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <set>

#include "arch/arch_spec.hpp"
#include "arch/dram_fields.hpp"
#include "config/map_reader.hpp"
#include "config/suggest.hpp"

namespace qarch::arch {

namespace {

namespace fs = std::filesystem;
using config::MapReader;

bool power_of_two(std::int64_t v) { return v > 0 && (v & (v - 1)) == 0; }

const std::vector<std::string> kMapFields = {"row", "rank", "channel", "bankgroup", "bank", "column"};

fs::path device_dir(const std::string& models_dir) { return fs::path(models_dir) / "dram"; }

// The aliases a device file declares (without validating the rest).
std::vector<std::string> aliases_of(const fs::path& file) {
  std::vector<std::string> names;
  try {
    const config::Document doc = config::Document::load(file.string());
    const config::Value list = doc.root().get("aliases");
    for (std::size_t i = 0; list.is_sequence() && i < list.size(); ++i) names.push_back(list.at(i).scalar());
  } catch (const config::InputError&) {
    // A broken file is reported when it is loaded by name.
  }
  return names;
}

}  // namespace

std::vector<std::string> address_map_fields(const std::string& map) {
  std::vector<std::string> parts;
  std::string part;
  for (char c : map + ",") {
    if (c == ',') {
      parts.push_back(part);
      part.clear();
    } else if (c != ' ') {
      part += c;
    }
  }
  return parts;
}

std::string address_map_problem(const std::string& map) {
  const std::vector<std::string> parts = address_map_fields(map);
  std::set<std::string> seen;
  for (const std::string& p : parts) {
    if (std::find(kMapFields.begin(), kMapFields.end(), p) == kMapFields.end())
      return "unknown field '" + p + "' (the fields are row, rank, channel, bankgroup, bank, column)";
    if (!seen.insert(p).second) return "'" + p + "' appears twice";
  }
  if (seen.size() != kMapFields.size()) {
    for (const std::string& f : kMapFields)
      if (seen.count(f) == 0) return "'" + f + "' is missing (each of row, rank, channel, bankgroup, bank, column once)";
  }
  return {};
}

void read_dram_fields(MapReader& r, DramSpec& d, bool required) {
  const auto fallback_n = [&](double v) { return required ? std::nullopt : std::optional<double>(v); };
  const auto fallback_i = [&](std::int64_t v) { return required ? std::nullopt : std::optional<std::int64_t>(v); };
  const auto count = [&](const char* key, int& field, std::int64_t max) {
    field = static_cast<int>(r.integer(key, 1, max, fallback_i(field)));
    if (!power_of_two(field)) r.error(key, "must be a power of two (address bits select it), got " + std::to_string(field));
  };
  d.tck_ns = r.number("tck_ns", 0.0, 100.0, fallback_n(d.tck_ns), true);
  count("channels", d.channels, 64);
  count("ranks", d.ranks, 16);
  count("bank_groups", d.bank_groups, 16);
  count("banks_per_group", d.banks_per_group, 64);
  count("bus_bits", d.bus_bits, 1024);
  if (d.bus_bits < 8) r.error("bus_bits", "must be at least 8, got " + std::to_string(d.bus_bits));
  count("burst_length", d.burst_length, 64);
  count("page_bytes", d.page_bytes, 1 << 20);
  if (d.page_bytes < d.burst_bytes())
    r.error("page_bytes", "a page (" + std::to_string(d.page_bytes) + " B) must hold a burst (" +
                              std::to_string(d.burst_bytes()) + " B = bus_bits / 8 x burst_length)");
  d.address_map = r.text("address_map", required ? std::nullopt : std::optional<std::string>(d.address_map));
  if (const std::string problem = address_map_problem(d.address_map); !problem.empty())
    r.error("address_map", problem + ", got '" + d.address_map + "'");
  d.queue_depth = static_cast<int>(r.integer("queue_depth", 1, 4096, fallback_i(d.queue_depth)));
  d.bank_queue_depth = static_cast<int>(r.integer("bank_queue_depth", 1, 4096, fallback_i(d.bank_queue_depth)));
  d.open_page = r.choice("page_policy", {"open", "closed"},
                         required ? std::nullopt : std::optional<std::string>(d.open_page ? "open" : "closed")) == "open";
  d.latency_ns = r.number("latency_ns", 0.0, 100000.0, d.latency_ns);
  d.energy_pj_per_bit = r.number("energy_pj_per_bit", 0.0, 10000.0, fallback_n(d.energy_pj_per_bit));
  if (const auto value = r.child("timing", required)) {
    MapReader t(*value, r.diagnostics());
    JedecTiming& x = d.timing;
    struct Field {
      const char* key;
      int* value;
    };
    for (const Field& f : {Field{"cl", &x.cl}, Field{"cwl", &x.cwl}, Field{"rcd", &x.rcd}, Field{"rp", &x.rp},
                           Field{"ras", &x.ras}, Field{"rrd_s", &x.rrd_s}, Field{"rrd_l", &x.rrd_l},
                           Field{"faw", &x.faw}, Field{"ccd_s", &x.ccd_s}, Field{"ccd_l", &x.ccd_l},
                           Field{"wtr_s", &x.wtr_s}, Field{"wtr_l", &x.wtr_l}, Field{"wr", &x.wr},
                           Field{"rtp", &x.rtp}, Field{"refi", &x.refi}, Field{"rfc", &x.rfc}}) {
      *f.value = static_cast<int>(t.integer(f.key, 0, 1000000, fallback_i(*f.value)));
    }
    if (x.refi > 0 && x.rfc >= x.refi) t.error("rfc", "a refresh (" + std::to_string(x.rfc) +
                                                          " tCK) must be shorter than its interval refi (" +
                                                          std::to_string(x.refi) + " tCK)");
    // Between two refreshes a row must be able to open and be read: a refresh that comes due
    // while a row is still opening closes it again, and the access would never be served.
    const std::int64_t access = std::int64_t{x.rfc} + x.rp + x.rcd + x.cl;
    if (x.refi > 0 && x.rfc < x.refi && access >= x.refi) {
      t.error("refi", "the refresh interval (" + std::to_string(x.refi) + " tCK) must exceed a refresh and one "
                      "access after it, rfc + rp + rcd + cl = " + std::to_string(access) + " tCK: no row could be "
                      "read between refreshes");
    }
    t.finish();
  }
}

std::vector<std::string> dram_device_names(const std::string& models_dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(device_dir(models_dir), ec))
    if (entry.path().extension() == ".yaml") names.push_back(entry.path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

std::optional<std::string> find_dram_device(const std::string& models_dir, const std::string& name) {
  const std::vector<std::string> names = dram_device_names(models_dir);
  if (std::find(names.begin(), names.end(), name) != names.end()) return name;
  for (const std::string& device : names) {
    const std::vector<std::string> aliases = aliases_of(device_dir(models_dir) / (device + ".yaml"));
    if (std::find(aliases.begin(), aliases.end(), name) != aliases.end()) return device;
  }
  return std::nullopt;
}

DramSpec load_dram_device(const std::string& models_dir, const std::string& name) {
  const std::optional<std::string> device = find_dram_device(models_dir, name);
  if (!device) {
    const std::vector<std::string> names = dram_device_names(models_dir);
    throw config::InputError(config::Diagnostic{
        config::Location{device_dir(models_dir).string(), 0, 0}, "",
        "no DRAM device '" + name + "' in " + device_dir(models_dir).string() +
            (names.empty() ? std::string(" (it has none)") : " (it has " + config::join_alternatives(names) + ")")});
  }
  const config::Document doc = config::Document::load((device_dir(models_dir) / (*device + ".yaml")).string());
  config::Diagnostics diagnostics;
  MapReader r(doc.root(), diagnostics);
  DramSpec d;
  d.device = r.text("name");
  if (d.device != *device) r.error("name", "must be the file's name, '" + *device + "'");
  r.child("aliases", false);
  r.text("source");
  read_dram_fields(r, d, true);
  d.energy_source = r.text("energy_source");
  r.finish();
  diagnostics.throw_if_any();
  return d;
}

std::string default_models_dir() {
  if (const char* dir = std::getenv("QARCH_MODELS_DIR"); dir != nullptr && *dir != '\0') return dir;
  return QARCH_DEFAULT_MODELS_DIR;
}

}  // namespace qarch::arch
