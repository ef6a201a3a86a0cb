#pragma once
// Reader (and a small writer, for tests and tools) of NumPy .npy files holding float32 arrays:
// the trained weights and biases a workload references (docs/workloads.md, `weights`, `bias`).
//
// Accepted: format versions 1.0, 2.0 and 3.0; dtype '<f4' (little-endian float32; '|f4' and
// '=f4' too, as this reader runs on little-endian hosts only); C order (fortran_order False);
// any number of dimensions, 0-d included. Anything else is a config::InputError that names the
// file and says what was found and what is expected.

#include <cstdint>
#include <string>
#include <vector>

namespace qarch::workload {

struct NpyArray {
  std::vector<std::int64_t> shape;  // empty for a 0-d array (one element)
  std::vector<float> data;          // C order, product(shape) elements

  std::int64_t elements() const;
  std::string shape_string() const;  // NumPy's spelling: "(6, 1, 5, 5)", "(10,)", "()"
};

// Reads `path`. `max_elements` bounds the array size before anything is allocated.
NpyArray read_npy(const std::string& path, std::int64_t max_elements = std::int64_t{1} << 31);

// Parses the bytes of a .npy file; `name` is used in messages in place of a path.
NpyArray parse_npy(const std::string& bytes, const std::string& name,
                   std::int64_t max_elements = std::int64_t{1} << 31);

// The bytes of a version 1.0 .npy file ('<f4', C order) holding `array`.
std::string npy_bytes(const NpyArray& array);

// Writes npy_bytes(array) to `path`; throws config::InputError when it cannot.
void write_npy(const std::string& path, const NpyArray& array);

}  // namespace qarch::workload
