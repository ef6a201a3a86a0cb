#include "workload/idx_reader.hpp"

#include <sys/stat.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <climits>
#include <vector>

#include "config/diagnostic.hpp"

namespace qarch::workload {

namespace {

[[noreturn]] void fail(const std::string& name, const std::string& message) {
  throw config::InputError(config::Diagnostic{config::Location{name, 0, 0}, "", message});
}

bool file_exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

// gzread reads gzip'd and plain files alike (it passes non-gzip content through).
class GzFile {
 public:
  explicit GzFile(const std::string& path) : path_(path), file_(gzopen(path.c_str(), "rb")) {
    if (file_ == nullptr) fail(path, "cannot open the IDX file");
  }
  ~GzFile() { gzclose(file_); }
  GzFile(const GzFile&) = delete;
  GzFile& operator=(const GzFile&) = delete;

  // Reads the rest of the file and returns how many bytes it had; a gzip file's checksum is
  // verified at its end, so a corrupted one fails here.
  std::int64_t drain() {
    std::vector<unsigned char> buffer(1 << 16);
    std::int64_t total = 0;
    while (true) {
      const int got = gzread(file_, buffer.data(), static_cast<unsigned>(buffer.size()));
      if (got < 0) {
        int code = 0;
        const char* message = gzerror(file_, &code);
        fail(path_, std::string("cannot read the IDX file (") + message + ")");
      }
      if (got == 0) return total;
      total += got;
    }
  }

  // Reads exactly `n` bytes; an error at the end of the file.
  void read(void* out, std::size_t n, const char* what) {
    auto* p = static_cast<unsigned char*>(out);
    while (n > 0) {
      const unsigned chunk = n > (1u << 30) ? (1u << 30) : static_cast<unsigned>(n);
      const int got = gzread(file_, p, chunk);
      if (got < 0) {
        int code = 0;
        const char* message = gzerror(file_, &code);
        fail(path_, std::string("cannot read the IDX file (") + message + ")");
      }
      if (got == 0) fail(path_, std::string("truncated IDX file: it ends in the ") + what);
      p += got;
      n -= static_cast<std::size_t>(got);
    }
  }

 private:
  std::string path_;
  gzFile file_;
};

std::string find_split_file(const std::string& directory, const std::string& stem) {
  const std::string base = directory + "/" + stem;
  if (file_exists(base + ".gz")) return base + ".gz";
  if (file_exists(base)) return base;
  struct stat st {};
  if (::stat(directory.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    fail(directory, "dataset directory not found (Fashion-MNIST: install Debian's "
                    "dataset-fashion-mnist, or give --dataset DIR)");
  }
  fail(base + ".gz", "dataset file not found (looked for " + stem + ".gz and " + stem + ")");
}

}  // namespace

std::int64_t IdxArray::item_elements() const {
  std::int64_t n = 1;
  for (std::size_t i = 1; i < dims.size(); ++i) n *= dims[i];
  return n;
}

IdxArray read_idx(const std::string& path, std::int64_t limit, std::int64_t max_bytes) {
  if (!file_exists(path)) fail(path, "IDX file not found");
  GzFile in(path);
  std::array<unsigned char, 4> magic{};
  in.read(magic.data(), 4, "magic number");
  if (magic[0] != 0 || magic[1] != 0) fail(path, "not an IDX file (bad magic number)");
  if (magic[2] != 0x08) {
    fail(path, "IDX data type 0x" + std::string(1, "0123456789abcdef"[magic[2] >> 4]) +
                   std::string(1, "0123456789abcdef"[magic[2] & 15]) +
                   " is not supported (expected 0x08, unsigned bytes)");
  }
  const int ndim = magic[3];
  if (ndim < 1) fail(path, "IDX file with no dimensions");
  IdxArray array;
  for (int i = 0; i < ndim; ++i) {
    std::array<unsigned char, 4> b{};
    in.read(b.data(), 4, "header");
    const std::int64_t d = (std::int64_t{b[0]} << 24) | (b[1] << 16) | (b[2] << 8) | b[3];
    array.dims.push_back(d);
  }
  const std::int64_t items_in_file = array.dims[0];
  if (limit >= 0 && limit < array.dims[0]) array.dims[0] = limit;
  std::int64_t bytes = 1;
  for (const std::int64_t d : array.dims) {
    if (d != 0 && bytes > max_bytes / d) bytes = max_bytes + 1;
    else bytes *= d;
  }
  if (bytes > max_bytes) {
    fail(path, "IDX data of " + std::to_string(bytes) + " bytes is larger than the limit of " +
                   std::to_string(max_bytes) + " bytes");
  }
  array.data.resize(static_cast<std::size_t>(bytes));
  in.read(array.data.data(), array.data.size(), "data");
  // The items not asked for, then the end: the header's count must match the data exactly, and
  // reading to the end checks a gzip file's CRC.
  const std::int64_t unread = (items_in_file - array.dims[0]) * array.item_elements();
  const std::int64_t rest = in.drain();
  if (rest < unread) {
    fail(path, "truncated IDX file: the header says " + std::to_string(items_in_file) + " items, the data holds " +
                   std::to_string(array.dims[0] + rest / std::max<std::int64_t>(1, array.item_elements())));
  }
  if (rest > unread) {
    fail(path, std::to_string(rest - unread) + " bytes after the " + std::to_string(items_in_file) +
                   " items the header announces");
  }
  return array;
}

LabeledImages read_mnist_split(const std::string& directory, const std::string& split,
                               std::int64_t limit) {
  const std::string images_path = find_split_file(directory, split + "-images-idx3-ubyte");
  const std::string labels_path = find_split_file(directory, split + "-labels-idx1-ubyte");
  IdxArray images = read_idx(images_path, limit);
  IdxArray labels = read_idx(labels_path, limit);
  if (images.dims.size() != 3) {
    fail(images_path, "expected 3-D image data (count x rows x cols), got " +
                          std::to_string(images.dims.size()) + " dimensions");
  }
  if (labels.dims.size() != 1) {
    fail(labels_path, "expected 1-D labels, got " + std::to_string(labels.dims.size()) +
                          " dimensions");
  }
  if (images.dims[0] != labels.dims[0]) {
    fail(labels_path, std::to_string(labels.dims[0]) + " labels for " +
                          std::to_string(images.dims[0]) + " images in " + images_path);
  }
  LabeledImages out;
  out.count = images.dims[0];
  out.rows = images.dims[1];
  out.cols = images.dims[2];
  out.pixels = std::move(images.data);
  out.labels = std::move(labels.data);
  return out;
}

}  // namespace qarch::workload
