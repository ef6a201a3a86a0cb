#include "config/map_reader.hpp"

#include <gtest/gtest.h>

#include "config/document.hpp"

namespace qarch::config {
namespace {

// Reads `yaml`'s top level with `body` and returns every diagnostic as text.
template <typename Body>
std::vector<std::string> problems(const std::string& yaml, Body body) {
  const Document doc = Document::parse(yaml, "t.yaml");
  Diagnostics diagnostics;
  MapReader reader(doc.root(), diagnostics);
  body(reader);
  reader.finish();
  std::vector<std::string> texts;
  for (const auto& d : diagnostics.items()) texts.push_back(d.to_string());
  return texts;
}

TEST(MapReader, ReadsTypedValues) {
  const Document doc = Document::parse(
      "n: 12\nx: 0.5\nflag: yes\nname: tpu\ndf: os\nk: [3, 5]\n", "t.yaml");
  Diagnostics diagnostics;
  MapReader r(doc.root(), diagnostics);
  EXPECT_EQ(r.integer("n", 1, 100), 12);
  EXPECT_DOUBLE_EQ(r.number("x", 0, 1), 0.5);
  EXPECT_TRUE(r.boolean("flag"));
  EXPECT_EQ(r.text("name"), "tpu");
  EXPECT_EQ(r.choice("df", {"ws", "os"}), "os");
  EXPECT_EQ(r.integers("k", {1, 2}, 1, 10), (std::vector<std::int64_t>{3, 5}));
  EXPECT_EQ(r.integer("absent", 1, 9, 7), 7);  // optional with a default
  r.finish();
  EXPECT_TRUE(diagnostics.empty());
}

TEST(MapReader, WrongTypeNamesFileLineColumnKeyAndValue) {
  const auto p = problems("a: 1\nrows: many\n", [](MapReader& r) {
    r.integer("a", 0, 9);
    r.integer("rows", 1, 4096);
  });
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0], "t.yaml:2:7: rows: expected an integer from 1 to 4096, got 'many'");
}

TEST(MapReader, OutOfRangeSaysTheRange) {
  const auto p = problems("rows: -4\n", [](MapReader& r) { r.integer("rows", 1, 4096); });
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0], "t.yaml:1:7: rows: out of range: expected an integer from 1 to 4096, got -4");
}

TEST(MapReader, NumbersRejectUnitsNanAndExclusiveBounds) {
  const auto p = problems("a: 1GHz\nb: .nan\nc: 0\nd: 2e3\n", [](MapReader& r) {
    r.number("a", 0, 10);
    r.number("b", 0, 10);
    r.number("c", 0, 10, std::nullopt, true);
    EXPECT_DOUBLE_EQ(r.number("d", 0, 1e4), 2000.0);
  });
  ASSERT_EQ(p.size(), 3u);
  EXPECT_NE(p[0].find("t.yaml:1:4: a: expected a number from 0 to 10, got '1GHz'"), std::string::npos);
  EXPECT_NE(p[1].find("b: expected"), std::string::npos);
  EXPECT_NE(p[2].find("c: out of range: expected a number greater than 0"), std::string::npos);
}

TEST(MapReader, MissingRequiredKeyPointsAtTheMap) {
  const auto p = problems("pe:\n  cols: 4\n", [](MapReader& r) {
    const auto pe = r.child("pe", true);
    MapReader inner(*pe, r.diagnostics());
    inner.integer("cols", 1, 9);
    inner.integer("rows", 1, 9);
    inner.finish();
  });
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0], "t.yaml:2:3: pe.rows: missing required key 'rows'");
}

TEST(MapReader, UnknownKeyGetsDidYouMean) {
  const auto p = problems("rowz: 4\ncols: 4\n", [](MapReader& r) {
    r.integer("rows", 1, 9, 1);
    r.integer("cols", 1, 9);
  });
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0], "t.yaml:1:1: rowz: unknown key (did you mean 'rows'?); known keys here: cols or rows");
}

TEST(MapReader, DuplicateKeyIsAnError) {
  const auto p = problems("rows: 4\nrows: 5\n", [](MapReader& r) { r.integer("rows", 1, 9); });
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0], "t.yaml:2:1: rows: duplicate key (first at t.yaml:1:1); each key may appear once");
}

TEST(MapReader, BadChoiceListsAlternativesAndSuggests) {
  const auto p = problems("df: wss\n", [](MapReader& r) { r.choice("df", {"ws", "os", "is", "rs"}); });
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0], "t.yaml:1:5: df: expected one of ws, os, is or rs, got 'wss' (did you mean 'ws'?)");
}

TEST(MapReader, BooleansAndTextAreChecked) {
  const auto p = problems("ideal: maybe\nname: [a]\nempty:\n", [](MapReader& r) {
    r.boolean("ideal");
    r.text("name");
    r.text("empty");
  });
  ASSERT_EQ(p.size(), 3u);
  EXPECT_NE(p[0].find("ideal: expected true or false, got 'maybe'"), std::string::npos);
  EXPECT_NE(p[1].find("name: expected a non-empty text, got a list"), std::string::npos);
  EXPECT_NE(p[2].find("empty: has no value"), std::string::npos);
}

TEST(MapReader, IntegerListsCheckLengthAndElements) {
  const auto p = problems("k: [3, 3, 3]\ns: [1, x]\n", [](MapReader& r) {
    r.integers("k", {1, 2}, 1, 9);
    r.integers("s", {1, 2}, 1, 9);
  });
  ASSERT_EQ(p.size(), 2u);
  EXPECT_NE(p[0].find("k: expected an integer or a list of 2 integers from 1 to 9, got a list"),
            std::string::npos);
  EXPECT_NE(p[1].find("t.yaml:2:8: s[1]: expected"), std::string::npos);
}

TEST(MapReader, NonMappingIsReportedOnce) {
  const Document doc = Document::parse("pe: 5\n", "t.yaml");
  Diagnostics diagnostics;
  MapReader r(doc.root().get("pe"), diagnostics);
  EXPECT_EQ(r.integer("rows", 1, 9), 1);
  r.finish();
  ASSERT_EQ(diagnostics.size(), 1u);
  EXPECT_EQ(diagnostics.items()[0].to_string(), "t.yaml:1:5: pe: expected a mapping of keys, got '5'");
}

TEST(MapReader, EveryProblemIsCollectedInOnePass) {
  const auto p = problems("rows: x\ncols: -1\ndataflow: z\nextra: 1\n", [](MapReader& r) {
    r.integer("rows", 1, 9);
    r.integer("cols", 1, 9);
    r.choice("dataflow", {"ws"});
  });
  EXPECT_EQ(p.size(), 4u);
}

TEST(Diagnostics, ThrowsOneErrorWithAllOfThem) {
  Diagnostics d;
  d.throw_if_any();  // nothing to throw
  d.add(Location{"f.yaml", 3, 1}, "a", "bad");
  d.add(Location{"--set a=1"}, "a", "worse");
  try {
    d.throw_if_any();
    FAIL();
  } catch (const InputError& e) {
    EXPECT_EQ(e.diagnostics().size(), 2u);
    EXPECT_STREQ(e.what(), "f.yaml:3:1: a: bad\n--set a=1: a: worse");
  }
}

}  // namespace
// An input echoed in a message is cut to an excerpt with its length (issue 23: a 10 MB value
// was repeated whole on stderr).
TEST(Excerpt, LongTextIsCutAtACharacterWithItsLength) {
  EXPECT_EQ(excerpt("rows"), "rows");
  EXPECT_EQ(excerpt(std::string(120, 'x')), std::string(120, 'x'));
  EXPECT_EQ(excerpt(std::string(121, 'x')), std::string(100, 'x') + "... (121 bytes)");
  // A two-byte character across the cut is kept whole or left out, never split.
  const std::string umlauts = std::string(99, 'a') + "\xc3\xa4" + std::string(50, 'b');
  EXPECT_EQ(excerpt(umlauts), std::string(99, 'a') + "... (151 bytes)");
  const std::string huge(10000000, 'y');
  const Document doc = Document::parse("rows: " + huge + "\n", "big.yaml");
  Diagnostics d;
  MapReader r(doc.root(), d);
  r.integer("rows", 1, 4096);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_LT(d.items()[0].to_string().size(), 300u) << d.items()[0].to_string().substr(0, 300);
  EXPECT_NE(d.items()[0].message.find("(10000000 bytes)"), std::string::npos);
}

}  // namespace qarch::config
