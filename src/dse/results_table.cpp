#include "dse/results_table.hpp"

#include <set>

#include "config/name_table.hpp"
#include "dse/csv.hpp"

namespace qarch::dse {

namespace {

// The results table's spelling of each status; Pending first (what unknown text reads as).
constexpr config::NameTable<PointStatus, 4> kStatusNames{{{PointStatus::Pending, "pending"},
                                                          {PointStatus::Ok, "ok"},
                                                          {PointStatus::Failed, "failed"},
                                                          {PointStatus::Timeout, "timeout"}}};

}  // namespace

const char* to_string(PointStatus status) { return config::name_in(kStatusNames, status).data(); }

PointStatus status_from_string(const std::string& text) { return config::value_in(kStatusNames, text); }

const std::vector<std::string>& metric_columns() {
  static const std::vector<std::string> columns = {
      "macs",      "weight_bytes", "total_cycles", "stall_cycles", "latency_s", "inferences_per_s",
      "energy_pj", "area_um2",     "tops_per_w",   "top1",         "images"};
  return columns;
}

namespace {
const char* const kBreakdown = "energy_breakdown_pj";
bool is_scalar(const nlohmann::json& v) { return v.is_null() || v.is_primitive(); }
}  // namespace

nlohmann::ordered_json metrics_from_summary(const nlohmann::json& summary) {
  nlohmann::ordered_json metrics = nlohmann::ordered_json::object();
  if (!summary.is_object()) return metrics;
  for (const auto& name : metric_columns()) {
    if (summary.contains(name) && is_scalar(summary[name])) metrics[name] = summary[name];
  }
  std::set<std::string> skip(metric_columns().begin(), metric_columns().end());
  skip.insert({"schema_version", "qarch_version"});
  for (const auto& [key, value] : summary.items()) {  // nlohmann::json iterates keys sorted
    if (skip.count(key) == 0 && (value.is_number() || value.is_boolean())) metrics[key] = value;
  }
  if (summary.contains(kBreakdown) && summary[kBreakdown].is_object()) {
    for (const auto& [component, value] : summary[kBreakdown].items()) {
      if (is_scalar(value)) metrics[std::string(kBreakdown) + "." + component] = value;
    }
  }
  return metrics;
}

std::string cell_text(const nlohmann::ordered_json& value) {
  if (value.is_null()) return "";
  if (value.is_string()) return value.get<std::string>();
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string render_results_csv(const SweepSpec& spec, const std::vector<DesignPoint>& points,
                               const std::map<std::string, PointOutcome>& outcomes) {
  // Columns beyond the fixed metrics: the union over the finished points, sorted, with the
  // energy breakdown last.
  std::set<std::string> extra, breakdown;
  const std::set<std::string> fixed(metric_columns().begin(), metric_columns().end());
  for (const auto& point : points) {
    const auto it = outcomes.find(point.id);
    if (it == outcomes.end()) continue;
    for (const auto& item : it->second.metrics.items()) {
      if (fixed.count(item.key())) continue;
      (item.key().rfind(kBreakdown, 0) == 0 ? breakdown : extra).insert(item.key());
    }
  }
  std::vector<std::string> metrics = metric_columns();
  metrics.insert(metrics.end(), extra.begin(), extra.end());
  metrics.insert(metrics.end(), breakdown.begin(), breakdown.end());

  std::vector<std::string> header = {"point", "id"};
  for (const auto& axis : spec.axes) header.push_back(axis.key);
  header.push_back("status");
  header.insert(header.end(), metrics.begin(), metrics.end());
  header.push_back("error");
  std::string text = csv_row(header);
  const PointOutcome pending;
  for (const auto& point : points) {
    const auto it = outcomes.find(point.id);
    const PointOutcome& outcome = it == outcomes.end() ? pending : it->second;
    std::vector<std::string> row = {std::to_string(point.index), point.id};
    row.insert(row.end(), point.values.begin(), point.values.end());
    row.push_back(to_string(outcome.status));
    for (const auto& name : metrics) {
      const bool show = outcome.status == PointStatus::Ok && outcome.metrics.contains(name);
      row.push_back(show ? cell_text(outcome.metrics[name]) : "");
    }
    row.push_back(outcome.error);
    text += csv_row(row);
  }
  return text;
}

}  // namespace qarch::dse
