#include "config/suggest.hpp"

#include <gtest/gtest.h>

namespace qarch::config {
namespace {

TEST(EditDistance, MatchesHandComputedValues) {
  EXPECT_EQ(edit_distance("", ""), 0u);
  EXPECT_EQ(edit_distance("rows", "rows"), 0u);
  EXPECT_EQ(edit_distance("rowz", "rows"), 1u);        // substitution
  EXPECT_EQ(edit_distance("row", "rows"), 1u);         // insertion
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);   // the textbook example
  EXPECT_EQ(edit_distance("abc", ""), 3u);
}

TEST(ClosestMatch, SuggestsPlausibleTyposOnly) {
  const std::vector<std::string> keys = {"rows", "cols", "dataflow", "weight_format"};
  EXPECT_EQ(closest_match("rowz", keys), "rows");
  EXPECT_EQ(closest_match("dataflw", keys), "dataflow");
  EXPECT_EQ(closest_match("weight", keys), "weight_format");  // a prefix
  EXPECT_EQ(closest_match("banana", keys), "");
  EXPECT_EQ(did_you_mean("colz", keys), " (did you mean 'cols'?)");
  EXPECT_EQ(did_you_mean("zzzzzz", keys), "");
}

TEST(JoinAlternatives, ReadsAsEnglish) {
  EXPECT_EQ(join_alternatives({"ws"}), "ws");
  EXPECT_EQ(join_alternatives({"ws", "os"}), "ws or os");
  EXPECT_EQ(join_alternatives({"ws", "os", "is", "rs"}), "ws, os, is or rs");
}

}  // namespace
}  // namespace qarch::config
