// The IDX reader on files written here (plain and gzip'd through zlib) and on the installed
// Fashion-MNIST (Debian's dataset-fashion-mnist, which scripts/setup.sh installs).

#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdio>
#include <fstream>
#include <iterator>

#include "support/diagnostics.hpp"
#include "workload/idx_reader.hpp"

namespace qarch::workload {
namespace {

const std::string kFashion = "/usr/share/datasets/fashion-mnist";

std::string idx_bytes(unsigned char type, const std::vector<std::uint32_t>& dims,
                      const std::vector<std::uint8_t>& data) {
  std::string s{'\0', '\0', static_cast<char>(type), static_cast<char>(dims.size())};
  for (const std::uint32_t d : dims) {
    for (int shift = 24; shift >= 0; shift -= 8) s += static_cast<char>((d >> shift) & 0xff);
  }
  s.append(data.begin(), data.end());
  return s;
}

std::string temp_path(const std::string& name) {
  return std::string(QARCH_BINARY_DIR) + "/func_test_" + name;
}

void write_plain(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

void write_gz(const std::string& path, const std::string& bytes) {
  gzFile f = gzopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  ASSERT_EQ(gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size())), static_cast<int>(bytes.size()));
  gzclose(f);
}

TEST(IdxReader, ReadsPlainAndGzipFilesAndLimits) {
  std::vector<std::uint8_t> data(3 * 2 * 4);
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<std::uint8_t>(i * 7);
  const std::string bytes = idx_bytes(0x08, {3, 2, 4}, data);
  write_plain(temp_path("a.idx"), bytes);
  write_gz(temp_path("a.idx.gz"), bytes);
  for (const std::string name : {"a.idx", "a.idx.gz"}) {
    const IdxArray a = read_idx(temp_path(name));
    EXPECT_EQ(a.dims, (std::vector<std::int64_t>{3, 2, 4}));
    EXPECT_EQ(a.data, data);
    EXPECT_EQ(a.item_elements(), 8);
    const IdxArray b = read_idx(temp_path(name), 2);
    EXPECT_EQ(b.dims, (std::vector<std::int64_t>{2, 2, 4}));
    EXPECT_EQ(b.data, std::vector<std::uint8_t>(data.begin(), data.begin() + 16));
  }
}

TEST(IdxReader, RejectsBadTypeTruncationAndSizeNamingTheFile) {
  write_plain(temp_path("f.idx"), idx_bytes(0x0D, {2}, {0, 0, 0, 0, 0, 0, 0, 0}));
  auto d = testing::diagnostics_of([] { read_idx(temp_path("f.idx")); });
  ASSERT_EQ(d.size(), 1u);
  EXPECT_NE(d[0].find("func_test_f.idx"), std::string::npos) << d[0];
  EXPECT_NE(d[0].find("0x0d is not supported"), std::string::npos) << d[0];

  write_gz(temp_path("t.idx.gz"), idx_bytes(0x08, {10, 2}, {1, 2, 3}));
  d = testing::diagnostics_of([] { read_idx(temp_path("t.idx.gz")); });
  EXPECT_NE(d.at(0).find("truncated"), std::string::npos) << d[0];

  write_plain(temp_path("big.idx"), idx_bytes(0x08, {0xffffffff, 0xffffffff, 0xffffffff}, {}));
  d = testing::diagnostics_of([] { read_idx(temp_path("big.idx")); });
  EXPECT_NE(d.at(0).find("larger than the limit"), std::string::npos) << d[0];

  write_plain(temp_path("m.idx"), "PK\x03\x04....");
  d = testing::diagnostics_of([] { read_idx(temp_path("m.idx")); });
  EXPECT_NE(d.at(0).find("bad magic"), std::string::npos) << d[0];

  d = testing::diagnostics_of([] { read_mnist_split("/nonexistent/dir", "t10k"); });
  EXPECT_NE(d.at(0).find("dataset directory not found"), std::string::npos) << d[0];
}

// The header's count must match the data: extra bytes, and a file shorter than announced even
// when only its first items are asked for, are errors; a gzip file with a bad checksum too.
TEST(IdxReader, TheHeaderMustMatchTheDataAndGzipChecksumsAreVerified) {
  write_plain(temp_path("long.idx"), idx_bytes(0x08, {2, 2}, {1, 2, 3, 4, 5}));
  auto d = testing::diagnostics_of([] { read_idx(temp_path("long.idx")); });
  EXPECT_NE(d.at(0).find("1 bytes after the 2 items the header announces"), std::string::npos) << d[0];
  write_plain(temp_path("short.idx"), idx_bytes(0x08, {4, 2}, {1, 2, 3, 4, 5, 6}));
  d = testing::diagnostics_of([] { read_idx(temp_path("short.idx"), 1); });
  EXPECT_NE(d.at(0).find("the header says 4 items, the data holds 3"), std::string::npos) << d[0];

  std::vector<std::uint8_t> data(4096);
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<std::uint8_t>((i * 2654435761u) >> 13);
  write_gz(temp_path("crc.idx.gz"), idx_bytes(0x08, {4096}, data));
  std::string gz;
  {
    std::ifstream in(temp_path("crc.idx.gz"), std::ios::binary);
    gz.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  ASSERT_GT(gz.size(), 16u);
  gz[gz.size() - 6] = static_cast<char>(gz[gz.size() - 6] ^ 0x5a);  // the CRC-32 in the trailer
  write_plain(temp_path("crc.idx.gz"), gz);
  d = testing::diagnostics_of([] { read_idx(temp_path("crc.idx.gz"), 10); });
  ASSERT_EQ(d.size(), 1u);
  EXPECT_NE(d[0].find("cannot read the IDX file"), std::string::npos) << d[0];
}

TEST(IdxReader, MnistSplitPairsImagesWithLabels) {
  const std::string dir = std::string(QARCH_BINARY_DIR) + "/func_test_split";
  std::remove((dir + "/x-images-idx3-ubyte").c_str());
  ASSERT_EQ(std::system(("mkdir -p " + dir).c_str()), 0);
  write_plain(dir + "/x-images-idx3-ubyte", idx_bytes(0x08, {2, 1, 2}, {1, 2, 3, 4}));
  write_gz(dir + "/x-labels-idx1-ubyte.gz", idx_bytes(0x08, {2}, {7, 9}));
  const LabeledImages s = read_mnist_split(dir, "x");
  EXPECT_EQ(s.count, 2);
  EXPECT_EQ(s.rows, 1);
  EXPECT_EQ(s.cols, 2);
  EXPECT_EQ(s.image(1)[0], 3);
  EXPECT_EQ(s.labels, (std::vector<std::uint8_t>{7, 9}));
  write_gz(dir + "/y-labels-idx1-ubyte.gz", idx_bytes(0x08, {1}, {7}));
  write_plain(dir + "/y-images-idx3-ubyte", idx_bytes(0x08, {2, 1, 2}, {1, 2, 3, 4}));
  const auto d = testing::diagnostics_of([&] { read_mnist_split(dir, "y"); });
  EXPECT_NE(d.at(0).find("1 labels for 2 images"), std::string::npos) << d[0];
}

TEST(IdxReader, ReadsInstalledFashionMnist) {
  const LabeledImages test = read_mnist_split(kFashion, "t10k");
  EXPECT_EQ(test.count, 10000);
  EXPECT_EQ(test.rows, 28);
  EXPECT_EQ(test.cols, 28);
  // Known first labels of the Fashion-MNIST test split: ankle boot, pullover, trouser, trouser.
  EXPECT_EQ(std::vector<int>(test.labels.begin(), test.labels.begin() + 4), (std::vector<int>{9, 2, 1, 1}));
  int histogram[10] = {};
  for (const std::uint8_t l : test.labels) ++histogram[l];
  for (const int h : histogram) EXPECT_EQ(h, 1000);  // the test split is balanced
  const LabeledImages train = read_mnist_split(kFashion, "train", 5);
  EXPECT_EQ(train.count, 5);
  EXPECT_EQ(train.labels[0], 9);
}

}  // namespace
}  // namespace qarch::workload
