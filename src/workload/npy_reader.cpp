#include "workload/npy_reader.hpp"

#include <cctype>
#include <cstring>
#include <fstream>
#include <iterator>
#include <optional>
#include <sstream>

#include "config/diagnostic.hpp"

namespace qarch::workload {

namespace {

[[noreturn]] void fail(const std::string& name, const std::string& message) {
  throw config::InputError(config::Diagnostic{config::Location{name, 0, 0}, "", message});
}

// The header of a .npy file is a Python dict literal such as
// {'descr': '<f4', 'fortran_order': False, 'shape': (6, 1, 5, 5), }
// This parser accepts exactly the forms NumPy writes: quoted strings, True/False and tuples of
// non-negative integers as values.
class HeaderParser {
 public:
  HeaderParser(const std::string& text, const std::string& name) : text_(text), name_(name) {}

  struct Header {
    std::optional<std::string> descr;
    std::optional<bool> fortran_order;
    std::optional<std::vector<std::int64_t>> shape;
  };

  Header parse() {
    Header h;
    expect('{');
    while (true) {
      skip_blanks();
      if (peek() == '}') break;
      const std::string key = string();
      expect(':');
      skip_blanks();
      if (key == "descr") {
        h.descr = string();
      } else if (key == "fortran_order") {
        h.fortran_order = boolean();
      } else if (key == "shape") {
        h.shape = tuple();
      } else {
        bad("unexpected key '" + key + "'");
      }
      skip_blanks();
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      skip_blanks();
      if (peek() != '}') bad("expected ',' or '}'");
    }
    return h;
  }

 private:
  char peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }
  void skip_blanks() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }
  [[noreturn]] void bad(const std::string& what) const {
    fail(name_, "not a valid .npy header (" + what + " at offset " + std::to_string(pos_) +
                    " of the header dictionary)");
  }
  void expect(char c) {
    skip_blanks();
    if (peek() != c) bad(std::string("expected '") + c + "'");
    ++pos_;
  }
  std::string string() {
    skip_blanks();
    const char quote = peek();
    if (quote != '\'' && quote != '"') bad("expected a quoted string");
    const std::size_t end = text_.find(quote, pos_ + 1);
    if (end == std::string::npos) bad("unterminated string");
    std::string s = text_.substr(pos_ + 1, end - pos_ - 1);
    pos_ = end + 1;
    return s;
  }
  bool boolean() {
    if (text_.compare(pos_, 4, "True") == 0) {
      pos_ += 4;
      return true;
    }
    if (text_.compare(pos_, 5, "False") == 0) {
      pos_ += 5;
      return false;
    }
    bad("expected True or False");
  }
  std::vector<std::int64_t> tuple() {
    expect('(');
    std::vector<std::int64_t> dims;
    while (true) {
      skip_blanks();
      if (peek() == ')') {
        ++pos_;
        return dims;
      }
      if (!std::isdigit(static_cast<unsigned char>(peek()))) bad("expected a dimension");
      std::int64_t v = 0;
      while (std::isdigit(static_cast<unsigned char>(peek()))) {
        if (v > (std::int64_t{1} << 50)) bad("dimension too large");
        v = v * 10 + (text_[pos_++] - '0');
      }
      // NumPy writes Python ints, which may carry an 'L' suffix in old files.
      if (peek() == 'L') ++pos_;
      dims.push_back(v);
      skip_blanks();
      if (peek() == ',') {
        ++pos_;
      } else if (peek() != ')') {
        bad("expected ',' or ')'");
      }
    }
  }

  const std::string& text_;
  const std::string& name_;
  std::size_t pos_ = 0;
};

std::uint32_t read_le(const std::string& bytes, std::size_t offset, int count) {
  std::uint32_t v = 0;
  for (int i = count - 1; i >= 0; --i) {
    v = (v << 8) | static_cast<unsigned char>(bytes[offset + static_cast<std::size_t>(i)]);
  }
  return v;
}

}  // namespace

std::int64_t NpyArray::elements() const {
  std::int64_t n = 1;
  for (const std::int64_t d : shape) n *= d;
  return n;
}

std::string NpyArray::shape_string() const {
  std::string s = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) s += ", ";
    s += std::to_string(shape[i]);
  }
  if (shape.size() == 1) s += ",";
  return s + ")";
}

NpyArray parse_npy(const std::string& bytes, const std::string& name, std::int64_t max_elements) {
  static const char kMagic[] = "\x93NUMPY";
  if (bytes.size() < 10 || bytes.compare(0, 6, kMagic, 6) != 0) {
    fail(name, "not a NumPy .npy file (no \\x93NUMPY magic); save weights with numpy.save");
  }
  const int major = static_cast<unsigned char>(bytes[6]);
  const int minor = static_cast<unsigned char>(bytes[7]);
  if (major < 1 || major > 3) {
    fail(name, "unsupported .npy format version " + std::to_string(major) + "." +
                   std::to_string(minor) + " (expected 1.0, 2.0 or 3.0)");
  }
  const std::size_t length_bytes = major == 1 ? 2 : 4;
  if (bytes.size() < 8 + length_bytes) fail(name, "truncated .npy header");
  const std::size_t header_length = read_le(bytes, 8, static_cast<int>(length_bytes));
  const std::size_t data_offset = 8 + length_bytes + header_length;
  if (bytes.size() < data_offset) fail(name, "truncated .npy header");
  const std::string header_text = bytes.substr(8 + length_bytes, header_length);
  const HeaderParser::Header h = HeaderParser(header_text, name).parse();
  if (!h.descr || !h.fortran_order || !h.shape) {
    fail(name, "the .npy header lacks one of 'descr', 'fortran_order' and 'shape'");
  }
  if (*h.descr != "<f4" && *h.descr != "|f4" && *h.descr != "=f4") {
    fail(name, "dtype '" + *h.descr +
                   "' is not float32 ('<f4'); save the array with .astype(numpy.float32)");
  }
  if (*h.fortran_order && h.shape->size() > 1) {
    fail(name, "array is in Fortran order; save it in C order (numpy.ascontiguousarray)");
  }
  NpyArray array;
  array.shape = *h.shape;
  std::int64_t n = 1;
  for (const std::int64_t d : array.shape) {
    if (d != 0 && n > max_elements / d) {
      fail(name, "array of shape " + array.shape_string() + " is larger than the limit of " +
                     std::to_string(max_elements) + " elements");
    }
    n *= d;
  }
  if (n > max_elements) {
    fail(name, "array of shape " + array.shape_string() + " is larger than the limit of " +
                   std::to_string(max_elements) + " elements");
  }
  const std::size_t data_bytes = static_cast<std::size_t>(n) * 4;
  if (bytes.size() - data_offset != data_bytes) {
    fail(name, "shape " + array.shape_string() + " needs " + std::to_string(data_bytes) +
                   " bytes of float32 data, the file has " +
                   std::to_string(bytes.size() - data_offset));
  }
  array.data.resize(static_cast<std::size_t>(n));
  if (n > 0) std::memcpy(array.data.data(), bytes.data() + data_offset, data_bytes);
  return array;
}

NpyArray read_npy(const std::string& path, std::int64_t max_elements) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(path, "cannot open the .npy file");
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  if (size < 0) fail(path, "cannot read the .npy file");
  // Header plus data: refuse files far larger than max_elements floats before reading them.
  if (size > max_elements * 4 + (std::int64_t{1} << 20)) {
    fail(path, "file of " + std::to_string(size) + " bytes is larger than the limit of " +
                   std::to_string(max_elements) + " float32 elements");
  }
  in.seekg(0, std::ios::beg);
  std::string bytes(static_cast<std::size_t>(size), '\0');
  if (!in.read(bytes.data(), size)) fail(path, "cannot read the .npy file");
  return parse_npy(bytes, path, max_elements);
}

std::string npy_bytes(const NpyArray& array) {
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': " +
                       array.shape_string() + ", }";
  // Pad with spaces and a newline so that the data starts on a 64-byte boundary, as NumPy does.
  const std::size_t unpadded = 10 + header.size() + 1;
  header.append((64 - unpadded % 64) % 64, ' ');
  header += '\n';
  std::string bytes = "\x93NUMPY";
  bytes += '\x01';
  bytes += '\x00';
  bytes += static_cast<char>(header.size() & 0xff);
  bytes += static_cast<char>((header.size() >> 8) & 0xff);
  bytes += header;
  const std::size_t offset = bytes.size();
  bytes.resize(offset + array.data.size() * 4);
  if (!array.data.empty()) std::memcpy(bytes.data() + offset, array.data.data(), array.data.size() * 4);
  return bytes;
}

void write_npy(const std::string& path, const NpyArray& array) {
  std::ofstream out(path, std::ios::binary);
  const std::string bytes = npy_bytes(array);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) fail(path, "cannot write the .npy file");
}

}  // namespace qarch::workload
