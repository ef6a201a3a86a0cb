#pragma once
// Reader of IDX files (LeCun's MNIST format, also Fashion-MNIST's), gzip'd or not: the
// datasets of functional mode. Debian's dataset-fashion-mnist installs
// /usr/share/datasets/fashion-mnist/{train,t10k}-{images-idx3,labels-idx1}-ubyte.gz.
//
// Only unsigned-byte data (type code 0x08) is accepted; dimensions are big-endian 32-bit.
// Problems (missing file, bad magic, truncated data, more items than asked for a limit) are
// config::InputError naming the file.

#include <cstdint>
#include <string>
#include <vector>

namespace qarch::workload {

struct IdxArray {
  std::vector<std::int64_t> dims;  // dims[0] items (after a limit), then the item shape
  std::vector<std::uint8_t> data;  // C order

  std::int64_t item_elements() const;  // product of dims[1..]
};

// Reads the first min(limit, dims[0]) items of an IDX file; a path ending in ".gz" or whose
// content starts with the gzip magic is decompressed. `max_bytes` bounds the data kept, checked
// from the header before allocating.
IdxArray read_idx(const std::string& path, std::int64_t limit = -1,
                  std::int64_t max_bytes = std::int64_t{1} << 32);

// The images and labels of one split ("train" or "t10k") of an MNIST-style dataset directory:
// <dir>/<split>-images-idx3-ubyte[.gz] and <dir>/<split>-labels-idx1-ubyte[.gz].
struct LabeledImages {
  std::int64_t count = 0;
  std::int64_t rows = 0;
  std::int64_t cols = 0;
  std::vector<std::uint8_t> pixels;  // count x rows x cols
  std::vector<std::uint8_t> labels;  // count

  const std::uint8_t* image(std::int64_t i) const {
    return pixels.data() + static_cast<std::size_t>(i * rows * cols);
  }
};

// Reads the first min(limit, available) items (limit < 0: all); checks that images are 3-D,
// labels 1-D, and that there are as many labels as images.
LabeledImages read_mnist_split(const std::string& directory, const std::string& split,
                               std::int64_t limit = -1);

}  // namespace qarch::workload
