#include "dse/csv.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iterator>

#include "config/diagnostic.hpp"
#include "config/input_file.hpp"

namespace qarch::dse {

std::optional<std::size_t> CsvTable::column(const std::string& name) const {
  for (std::size_t i = 0; i < header.size(); ++i) {
    if (header[i] == name) return i;
  }
  return std::nullopt;
}

bool parse_number(const std::string& text, double& value) {
  if (text.empty()) return false;
  char* end = nullptr;
  errno = 0;
  value = std::strtod(text.c_str(), &end);
  return end == text.c_str() + text.size() && errno != ERANGE && std::isfinite(value);
}

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (const char c : text) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

std::string csv_row(const std::vector<std::string>& fields) {
  std::string line;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) line += ',';
    line += csv_field(fields[i]);
  }
  return line + "\n";
}

std::string render_csv(const CsvTable& table) {
  std::string text = csv_row(table.header);
  for (const auto& row : table.rows) text += csv_row(row);
  return text;
}

CsvTable parse_csv(const std::string& text, const std::string& file) {
  CsvTable table;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false;
  bool any = false;  // the current row has content (a field separator or a character)
  int line = 1;
  int row_line = 1;
  const auto end_row = [&]() {
    row.push_back(field);
    field.clear();
    if (table.header.empty()) {
      table.header = row;
    } else if (row.size() != table.header.size()) {
      throw config::InputError(config::Diagnostic{
          config::Location{file, row_line, 0}, "",
          "expected " + std::to_string(table.header.size()) + " fields as in the header, got " +
              std::to_string(row.size())});
    } else {
      table.rows.push_back(row);
    }
    row.clear();
    any = false;
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        if (c == '\n') ++line;
        field += c;
      }
      continue;
    }
    if (c == '"' && field.empty()) {
      quoted = any = true;
    } else if (c == ',') {
      row.push_back(field);
      field.clear();
      any = true;
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      if (any || !field.empty()) end_row();
      ++line;
      row_line = line;
    } else {
      field += c;
      any = true;
    }
  }
  if (quoted) {
    throw config::InputError(
        config::Diagnostic{config::Location{file, row_line, 0}, "", "a quoted field is never closed"});
  }
  if (any || !field.empty()) end_row();
  if (table.header.empty()) {
    throw config::InputError(config::Diagnostic{config::Location{file}, "", "the file is empty; expected a CSV header"});
  }
  return table;
}

CsvTable read_csv_file(const std::string& path) { return parse_csv(config::read_input_file(path, "a CSV file"), path); }

}  // namespace qarch::dse
