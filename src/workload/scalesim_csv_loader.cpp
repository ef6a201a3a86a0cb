#include "workload/scalesim_csv_loader.hpp"

#include <charconv>
#include <filesystem>

#include "config/diagnostic.hpp"
#include "config/input_file.hpp"
#include "workload/shape_inference.hpp"

namespace qarch::workload {
namespace {

using config::Diagnostics;
using config::Location;

struct Field {
  std::string text;
  int column = 1;  // 1-based character column where the field starts
};

std::string trim(const std::string& s) {
  const auto first = s.find_first_not_of(" \t\r");
  if (first == std::string::npos) return {};
  return s.substr(first, s.find_last_not_of(" \t\r") - first + 1);
}

std::vector<Field> split_row(const std::string& line) {
  std::vector<Field> fields;
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = line.find(',', start);
    const std::string raw = line.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    const std::size_t lead = raw.find_first_not_of(" \t");
    fields.push_back(Field{trim(raw), static_cast<int>(start + (lead == std::string::npos ? 0 : lead)) + 1});
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return fields;
}

// The eight columns SCALE-Sim reads, with their limits.
struct Column {
  const char* name;
  std::int64_t min;
  std::int64_t max;
};
constexpr Column kColumns[] = {
    {"ifmap height", 1, kMaxDimension}, {"ifmap width", 1, kMaxDimension},
    {"filter height", 1, 4096},         {"filter width", 1, 4096},
    {"channels", 1, kMaxDimension},     {"num filters", 1, kMaxDimension},
    {"strides", 1, 4096}};

std::optional<std::int64_t> parse_count(const std::string& text) {
  std::int64_t value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc{} || ptr != text.data() + text.size()) return std::nullopt;
  return value;
}

Layer make_layer(const std::string& name, const std::int64_t v[8], std::int64_t channels,
                 const Location& where) {
  Layer l;
  l.name = name;
  l.type = LayerType::Conv2d;
  l.where = where;
  l.input = Shape{channels, v[0], v[1]};
  l.kernel_h = static_cast<int>(v[2]);
  l.kernel_w = static_cast<int>(v[3]);
  l.filters = v[5];
  l.stride_h = static_cast<int>(v[6]);
  l.stride_w = static_cast<int>(v[7]);
  const std::int64_t e = scalesim_output(v[0], v[2], v[6]);
  const std::int64_t f = scalesim_output(v[1], v[3], v[7]);
  l.output = Shape{l.filters, e, f};
  l.gemm = Gemm{1, e * f, channels * v[2] * v[3], l.filters};
  return l;
}

}  // namespace

Network parse_scalesim_csv(const std::string& text, const std::string& file) {
  Diagnostics diagnostics;
  Network net;
  net.source_file = file;
  net.name = std::filesystem::path(file).stem().string();
  std::size_t pos = 0;
  int line_number = 0;
  bool header_seen = false;
  while (pos <= text.size()) {
    const std::size_t newline = text.find('\n', pos);
    const std::string line = text.substr(pos, newline == std::string::npos ? std::string::npos : newline - pos);
    pos = newline == std::string::npos ? text.size() + 1 : newline + 1;
    ++line_number;
    const auto fields = split_row(line);
    bool blank = true;
    for (const auto& f : fields) blank = blank && f.text.empty();
    if (blank) continue;
    if (!header_seen) {  // SCALE-Sim always skips the first row
      header_seen = true;
      // A first row of numbers is a layer whose header is missing: SCALE-Sim would drop it.
      bool numbers = fields.size() >= 8;
      for (std::size_t c = 1; c < 8 && numbers; ++c) numbers = parse_count(fields[c].text).has_value();
      if (numbers) {
        diagnostics.add(Location{file, line_number, 1}, "",
                        "the first row is a layer, but SCALE-Sim skips the first row as the header; add a header "
                        "row (Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num "
                        "Filter, Strides)");
      }
      continue;
    }
    const std::string name = fields[0].text;
    const Location row_where{file, line_number, 1};
    if (fields.size() < 8) {
      diagnostics.add(row_where, name, "expected 8 columns (layer name, ifmap height, ifmap width, "
                                       "filter height, filter width, channels, num filters, strides), got " +
                                           std::to_string(fields.size()));
      continue;
    }
    std::int64_t v[8] = {};
    bool ok = !name.empty();
    if (name.empty()) diagnostics.add(row_where, "layer name", "is empty");
    for (int c = 0; c < 7; ++c) {
      const Field& f = fields[static_cast<std::size_t>(c) + 1];
      const auto parsed = parse_count(f.text);
      const Column& col = kColumns[c];
      if (!parsed || *parsed < col.min || *parsed > col.max) {
        diagnostics.add(Location{file, line_number, f.column}, name + "." + col.name,
                        "expected an integer from " + std::to_string(col.min) + " to " +
                            std::to_string(col.max) + ", got '" + f.text + "'");
        ok = false;
      } else {
        v[c] = *parsed;
      }
    }
    v[7] = v[6];  // stride in width defaults to the stride in height
    if (fields.size() > 8 && !fields[8].text.empty()) {  // qarch's extension: the stride in width
      const auto parsed = parse_count(fields[8].text);
      if (parsed && *parsed >= 1 && *parsed <= 4096) {
        v[7] = *parsed;
      } else {
        diagnostics.add(Location{file, line_number, fields[8].column}, name + ".stride width",
                        "expected an integer from 1 to 4096 or nothing (the stride in height), got '" +
                            fields[8].text + "'");
        ok = false;
      }
    }
    if (!ok) continue;
    if (v[2] > v[0] || v[3] > v[1]) {
      diagnostics.add(row_where, name, "the " + std::to_string(v[2]) + "x" + std::to_string(v[3]) +
                                           " filter is larger than the " + std::to_string(v[0]) +
                                           "x" + std::to_string(v[1]) + " ifmap");
      continue;
    }
    const bool depthwise = name.find("DP") != std::string::npos;
    if (net.layers.size() + static_cast<std::size_t>(depthwise ? v[4] : 1) > kMaxLayers) {
      diagnostics.add(row_where, name, "the topology expands to more than " +
                                           std::to_string(kMaxLayers) + " layers");
      break;
    }
    if (depthwise) {  // SCALE-Sim splits it into one-channel layers
      for (std::int64_t ch = 0; ch < v[4]; ++ch) {
        net.layers.push_back(make_layer(name + "Channel_" + std::to_string(ch), v, 1, row_where));
      }
    } else {
      net.layers.push_back(make_layer(name, v, v[4], row_where));
    }
    Layer& last = net.layers.back();
    if (const std::string problem = check_limits(last); !problem.empty()) {
      diagnostics.add(row_where, name, problem);
    }
  }
  if (diagnostics.empty() && net.layers.empty()) {
    diagnostics.add(Location{file}, "", "no layers: expected a header row and at least one layer row");
  }
  diagnostics.throw_if_any();
  net.input = net.layers.front().input;
  return net;
}

Network load_scalesim_csv(const std::string& path) {
  return parse_scalesim_csv(config::read_input_file(path, "a CSV file"), path);
}

}  // namespace qarch::workload
