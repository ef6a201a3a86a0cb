#include "dse/sweep_store.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "config/diagnostic.hpp"
#include "report/output_files.hpp"

namespace qarch::dse {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

std::string read_text(const std::string& path, bool& ok) {
  std::ifstream in(path, std::ios::binary);
  ok = static_cast<bool>(in);
  if (!ok) return {};
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::string content_hash(const std::string& path) {
  bool ok = false;
  const std::string text = read_text(path, ok);
  if (!ok) return "unreadable";
  std::uint64_t hash = 14695981039346656037ull;
  for (const unsigned char c : text) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  char hex[32];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(hash));
  return hex;
}

void make_dirs(const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec || !fs::is_directory(dir)) {
    throw report::OutputError("cannot create directory " + dir + ": " +
                              (ec ? ec.message() : std::string("a file of that name exists")));
  }
}

std::string describe_change(const Json& before, const Json& now) {
  std::string what;
  for (const auto& item : now.items()) {
    const Json old = before.contains(item.key()) ? before[item.key()] : Json();
    if (old == item.value()) continue;
    if (!what.empty()) what += "; ";
    const std::string key = item.key();
    if (key == "arch_content" || key == "workload_content") {
      what += "the " + key.substr(0, key.find('_')) + " file's contents changed";
    } else {
      what += key + " was " + old.dump() + ", now " + item.value().dump();
    }
  }
  return what.empty() ? "the sweep format changed" : what;
}

}  // namespace

Json spec_fingerprint(const SweepSpec& spec) {
  Json set = Json::object();
  for (const auto& f : spec.fixed) set[f.key] = f.value;
  Json axes = Json::array();
  for (const auto& axis : spec.axes) axes.push_back(axis.key);
  return Json{{"format", 1},
              {"arch", spec.arch_path},
              {"arch_content", content_hash(spec.arch_path)},
              {"workload", spec.workload_path},
              {"workload_content", content_hash(spec.workload_path)},
              {"set", set},
              {"axes", axes},
              {"run_args", spec.run_args}};
}

SweepStore::SweepStore(std::string dir) : dir_(std::move(dir)) {}

SweepStore::~SweepStore() {
  if (lock_fd_ >= 0) ::close(lock_fd_);  // releases the lock
}

std::string SweepStore::point_dir(const std::string& id) const {
  return (fs::path(dir_) / "points" / id).string();
}
std::string SweepStore::results_path() const { return (fs::path(dir_) / "results.csv").string(); }
std::string SweepStore::manifest_path() const { return (fs::path(dir_) / "sweep.json").string(); }

void SweepStore::open(const Json& fingerprint, bool restart, bool exclusive) {
  make_dirs(dir_);
  if (lock_fd_ < 0) {
    const std::string lock = (fs::path(dir_) / "sweep.lock").string();
    lock_fd_ = ::open(lock.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (lock_fd_ < 0) {
      throw config::InputError(config::Diagnostic{config::Location{lock}, "", std::string("cannot lock: ") + std::strerror(errno)});
    }
    // A POSIX record lock: held by this process only (a forked child does not inherit it) and
    // released when it exits, however it ends.
    struct flock whole {};
    whole.l_type = exclusive ? F_WRLCK : F_RDLCK;
    whole.l_whence = SEEK_SET;
    if (::fcntl(lock_fd_, F_SETLK, &whole) != 0) {
      ::close(lock_fd_);
      lock_fd_ = -1;
      throw config::InputError(config::Diagnostic{
          config::Location{dir_}, "",
          "another qarch sweep is running on this directory; wait for it or use another --out"});
    }
  }
  bool exists = false;
  const std::string text = read_text(manifest_path(), exists);
  if (exists && !restart) {
    const Json before = Json::parse(text, nullptr, false);
    if (before == fingerprint) return;
    std::size_t finished = 0;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(fs::path(dir_) / "points", ec)) {
      if (fs::exists(entry.path() / "status.json")) ++finished;
    }
    throw config::InputError(config::Diagnostic{
        config::Location{manifest_path()}, "",
        "the " + std::to_string(finished) + " finished points in " + dir_ +
            " were run with a different sweep: " + describe_change(before, fingerprint) +
            "; their results would not match the spec. Use another --out, or --restart to "
            "discard them"});
  }
  if (exists && restart) {
    std::error_code ec;
    fs::remove_all(fs::path(dir_) / "points", ec);
    fs::remove(results_path(), ec);
  }
  report::write_file_atomically(manifest_path(), fingerprint.dump(2, ' ', false, Json::error_handler_t::replace) + "\n");
}

std::map<std::string, PointOutcome> SweepStore::load_outcomes(
    const SweepSpec& spec, const std::vector<DesignPoint>& points) const {
  std::map<std::string, PointOutcome> outcomes;
  for (const auto& point : points) {
    bool ok = false;
    const std::string text = read_text((fs::path(point_dir(point.id)) / "status.json").string(), ok);
    if (!ok) continue;
    const Json status = Json::parse(text, nullptr, false);
    if (!status.is_object() || !status.contains("values") || !status["values"].is_object()) continue;
    bool same = status["values"].size() == spec.axes.size();
    for (std::size_t a = 0; a < spec.axes.size() && same; ++a) {
      same = status["values"].value(spec.axes[a].key, Json()) == Json(point.values[a]);
    }
    if (!same) continue;
    PointOutcome outcome;
    outcome.status = status_from_string(status.value("status", ""));
    if (!outcome.finished()) continue;
    outcome.error = status.value("error", "");
    outcome.metrics = status.value("metrics", Json::object());
    outcome.elapsed_s = status.value("elapsed_s", 0.0);
    outcome.exit_code = status.value("exit_code", 0);
    outcomes[point.id] = std::move(outcome);
  }
  return outcomes;
}

void SweepStore::prepare_point(const std::string& id) const {
  std::error_code ec;
  fs::remove_all(point_dir(id), ec);
  make_dirs(point_dir(id));
}

void SweepStore::record(const SweepSpec& spec, const DesignPoint& point,
                        const PointOutcome& outcome) const {
  Json values = Json::object();
  for (std::size_t a = 0; a < spec.axes.size(); ++a) values[spec.axes[a].key] = point.values[a];
  const Json status = {{"id", point.id},
                       {"index", point.index},
                       {"values", values},
                       {"status", to_string(outcome.status)},
                       {"error", outcome.error},
                       {"exit_code", outcome.exit_code},
                       {"elapsed_s", outcome.elapsed_s},
                       {"metrics", outcome.metrics}};
  make_dirs(point_dir(point.id));
  report::write_file_atomically((fs::path(point_dir(point.id)) / "status.json").string(),
                                status.dump(2, ' ', false, Json::error_handler_t::replace) + "\n");
}

void SweepStore::write_results(const std::string& csv_text) const {
  report::write_file_atomically(results_path(), csv_text);
}

}  // namespace qarch::dse
