// The .npy reader against files NumPy wrote (tests/data/func/*.npy, made with numpy.save and
// numpy.lib.format.write_array) and against its own writer; every rejection names the file.

#include <gtest/gtest.h>

#include <cstring>
#include <fstream>

#include "support/diagnostics.hpp"
#include "workload/npy_reader.hpp"

namespace qarch::workload {
namespace {

const std::string kData = std::string(QARCH_SOURCE_DIR) + "/tests/data/func/";

std::uint32_t bits(float f) {
  std::uint32_t b = 0;
  std::memcpy(&b, &f, 4);
  return b;
}

void expect_small(const NpyArray& a) {
  ASSERT_EQ(a.shape, (std::vector<std::int64_t>{2, 3}));
  const std::vector<float> want{1.5f, -2.25f, 3.0f, 0.0f, -0.0f, 1e-30f};
  ASSERT_EQ(a.data.size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i) EXPECT_EQ(bits(a.data[i]), bits(want[i])) << i;
}

TEST(NpyReader, ReadsNumpyFloat32VersionsOneAndTwo) {
  expect_small(read_npy(kData + "small_f4.npy"));
  expect_small(read_npy(kData + "small_v2.npy"));
  EXPECT_EQ(read_npy(kData + "small_f4.npy").shape_string(), "(2, 3)");
}

TEST(NpyReader, ReadsZeroDimensionalArrays) {
  const NpyArray a = read_npy(kData + "scalar_f4.npy");
  EXPECT_TRUE(a.shape.empty());
  EXPECT_EQ(a.shape_string(), "()");
  ASSERT_EQ(a.data.size(), 1u);
  EXPECT_EQ(a.data[0], 7.0f);
}

TEST(NpyReader, WriterRoundTripsAndNumpyHeaderAlignment) {
  NpyArray a;
  a.shape = {4};
  a.data = {1.0f, -1.0f, 0.5f, 3.25f};
  const std::string bytes = npy_bytes(a);
  EXPECT_EQ((bytes.find('\n') + 1) % 64, 0u);  // data 64-byte aligned, as NumPy writes
  const NpyArray b = parse_npy(bytes, "mem");
  EXPECT_EQ(b.shape, a.shape);
  EXPECT_EQ(b.data, a.data);
  EXPECT_EQ(b.shape_string(), "(4,)");
  // Our writer's bytes equal NumPy's for the same array.
  std::ifstream in(kData + "small_f4.npy", std::ios::binary);
  const std::string numpy_bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(npy_bytes(read_npy(kData + "small_f4.npy")), numpy_bytes);
}

TEST(NpyReader, RejectsOtherDtypesNamingTheFile) {
  const auto d = testing::diagnostics_of([] { read_npy(kData + "small_f8.npy"); });
  ASSERT_EQ(d.size(), 1u);
  EXPECT_NE(d[0].find("small_f8.npy"), std::string::npos) << d[0];
  EXPECT_NE(d[0].find("'<f8' is not float32"), std::string::npos) << d[0];
}

TEST(NpyReader, RejectsFortranOrder) {
  const auto d = testing::diagnostics_of([] { read_npy(kData + "small_fortran.npy"); });
  ASSERT_EQ(d.size(), 1u);
  EXPECT_NE(d[0].find("Fortran order"), std::string::npos) << d[0];
}

TEST(NpyReader, RejectsMissingTruncatedAndForeignFiles) {
  EXPECT_NE(testing::diagnostics_of([] { read_npy(kData + "nope.npy"); })[0].find("cannot open"),
            std::string::npos);
  NpyArray a;
  a.shape = {3};
  a.data = {1, 2, 3};
  std::string bytes = npy_bytes(a);
  bytes.pop_back();
  EXPECT_NE(testing::diagnostics_of([&] { parse_npy(bytes, "t.npy"); })[0].find("needs 12 bytes"),
            std::string::npos);
  EXPECT_NE(testing::diagnostics_of([] { parse_npy("PK\x03\x04 zip", "z.npy"); })[0].find("magic"),
            std::string::npos);
  std::string bad_header = npy_bytes(a);
  bad_header[20] = '#';  // inside the dict
  EXPECT_NE(testing::diagnostics_of([&] { parse_npy(bad_header, "h.npy"); })[0].find("header"),
            std::string::npos);
}

TEST(NpyReader, RejectsArraysAboveTheLimitBeforeAllocating) {
  NpyArray a;
  a.shape = {1000000, 1000000, 1000000};  // header only: claims 10^18 elements
  std::string bytes = npy_bytes(NpyArray{{1}, {0.0f}});
  const std::string header = npy_bytes(a).substr(0, npy_bytes(a).find('\n') + 1);
  const auto d = testing::diagnostics_of([&] { parse_npy(header, "huge.npy"); });
  ASSERT_EQ(d.size(), 1u);
  EXPECT_NE(d[0].find("larger than the limit"), std::string::npos) << d[0];
}

}  // namespace
}  // namespace qarch::workload
