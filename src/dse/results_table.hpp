#pragma once
// What one design point gave, and results.csv: one row per point in point order,
//   point,id,<axis keys...>,status,<metrics...>,error
// Status is ok, failed, timeout or pending (not run yet). Metrics come from the point's
// summary.json: the fixed list kMetricColumns, then any other top-level number the summary has
// (sorted), then energy_breakdown_pj.<component> (sorted). A value no model computed (JSON null)
// and every metric of a point that did not succeed is an empty cell. Numbers are written as
// integers or in the shortest form that reads back to the same double, so the file depends
// only on the points' results -- never on --jobs or the order in which points finished.

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "dse/design_point.hpp"
#include "dse/sweep_spec.hpp"

namespace qarch::dse {

enum class PointStatus { Pending, Ok, Failed, Timeout };

const char* to_string(PointStatus status);
PointStatus status_from_string(const std::string& text);  // unknown text -> Pending

struct PointOutcome {
  PointStatus status = PointStatus::Pending;
  std::string error;               // one line; empty when ok
  nlohmann::ordered_json metrics;  // flat object of scalars (see metrics_from_summary)
  double elapsed_s = 0;            // wall time of the child; kept in status.json, not in the CSV
  int exit_code = 0;

  bool finished() const { return status != PointStatus::Pending; }
};

// The metric columns always present, in this order.
const std::vector<std::string>& metric_columns();

// Flattens a summary.json object to the scalar metrics results.csv shows.
nlohmann::ordered_json metrics_from_summary(const nlohmann::json& summary);

// One CSV cell for a JSON scalar (null -> empty).
std::string cell_text(const nlohmann::ordered_json& value);

// results.csv for `points` (outcomes looked up by point id; missing ones are pending).
std::string render_results_csv(const SweepSpec& spec, const std::vector<DesignPoint>& points,
                               const std::map<std::string, PointOutcome>& outcomes);

}  // namespace qarch::dse
