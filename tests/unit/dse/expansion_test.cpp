#include <gtest/gtest.h>

#include <set>

#include "dse/design_point.hpp"
#include "dse_test_support.hpp"

namespace qarch::dse {
namespace {

SweepSpec spec_of(const std::string& body) {
  return parse_sweep_spec(
      "arch: ../tpu-like.yaml\nworkload: ../../workloads/lenet5.yaml\n" + body,
      testing::source_path("configs/sweeps/t.yaml"));
}

std::vector<std::string> rendered(const SweepSpec& spec) {
  std::vector<std::string> texts;
  for (const auto& p : expand_points(spec)) {
    std::string t;
    for (const auto& v : p.values) t += (t.empty() ? "" : "/") + v;
    texts.push_back(t);
  }
  return texts;
}

TEST(Expansion, CartesianNestsLikeLoopsFirstAxisOutermost) {
  const auto spec = spec_of("axes:\n  a: [1, 2]\n  b: [x, y, z]\n");
  EXPECT_EQ(rendered(spec), (std::vector<std::string>{"1/x", "1/y", "1/z", "2/x", "2/y", "2/z"}));
  const auto points = expand_points(spec);
  for (std::size_t i = 0; i < points.size(); ++i) EXPECT_EQ(points[i].index, i);
}

TEST(Expansion, ZipModeAdvancesTogether) {
  EXPECT_EQ(rendered(spec_of("mode: zip\naxes:\n  a: [1, 2, 3]\n  b: [x, y, z]\n")),
            (std::vector<std::string>{"1/x", "2/y", "3/z"}));
}

TEST(Expansion, ZipGroupsAreCrossedWithTheOtherAxes) {
  const auto spec = spec_of("axes:\n  m: [exact, mitchell]\n  w: [int8, int4]\n  a: [int8, int4]\n"
                            "zip: [[a, w]]\n");
  EXPECT_EQ(rendered(spec), (std::vector<std::string>{"exact/int8/int8", "exact/int4/int4",
                                                      "mitchell/int8/int8", "mitchell/int4/int4"}));
}

TEST(Expansion, CountsMatchTheProduct) {
  const auto spec = spec_of("axes:\n  a: {from: 1, to: 7, step: 1}\n  b: {from: 2, to: 64, factor: 2}\n"
                            "  c: [p, q, r]\n  d: [1, 2, 3]\nzip: [[c, d]]\n");
  EXPECT_EQ(spec.point_count(), 7u * 6u * 3u);
  const auto points = expand_points(spec);
  EXPECT_EQ(points.size(), 7u * 6u * 3u);
  std::set<std::string> ids;
  for (const auto& p : points) ids.insert(p.id);
  EXPECT_EQ(ids.size(), points.size());
}

TEST(Expansion, IdsDependOnValuesNotOnOrder) {
  const auto first = expand_points(spec_of("axes:\n  a: [1, 2]\n  b: [x, y]\n"));
  const auto reordered = expand_points(spec_of("axes:\n  b: [y, x]\n  a: [2, 1, 3]\n"));
  std::set<std::string> later;
  for (const auto& p : reordered) later.insert(p.id);
  EXPECT_EQ(later.size(), 6u);
  for (const auto& p : first) EXPECT_EQ(later.count(p.id), 1u) << p.id;
  EXPECT_EQ(first[0].id, point_id({"b", "a"}, {"x", "1"}));
  EXPECT_NE(point_id({"a"}, {"1"}), point_id({"a"}, {"2"}));
  EXPECT_NE(point_id({"a", "b"}, {"1", "2"}), point_id({"a", "b"}, {"2", "1"}));
  EXPECT_EQ(first[0].id.size(), 12u);
}

TEST(Expansion, SettingsAreFixedThenAxes) {
  const auto spec = spec_of("set: {memory.ideal: true}\naxes:\n  pe_array.rows: [4]\n");
  const auto points = expand_points(spec);
  EXPECT_EQ(point_settings(spec, points[0]),
            (std::vector<std::string>{"memory.ideal=true", "pe_array.rows=4"}));
}

}  // namespace
}  // namespace qarch::dse
