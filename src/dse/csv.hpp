#pragma once
// RFC 4180 CSV: fields with a comma, quote, CR or LF are quoted, quotes doubled; rows end in
// "\n". Enough for results.csv and the tables `qarch pareto` reads.

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace qarch::dse {

struct CsvTable {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;  // each as long as the header

  // Index of `name` in the header, if present.
  std::optional<std::size_t> column(const std::string& name) const;
};

// A field as a finite number (the whole field, strtod's syntax); false when empty or not one.
bool parse_number(const std::string& text, double& value);

std::string csv_field(const std::string& text);
std::string csv_row(const std::vector<std::string>& fields);
std::string render_csv(const CsvTable& table);

// Throws config::InputError naming `file` and the line of a malformed row (unterminated quote,
// a row with another number of fields than the header, no header).
CsvTable parse_csv(const std::string& text, const std::string& file);
CsvTable read_csv_file(const std::string& path);  // "no such file" as an InputError too

}  // namespace qarch::dse
