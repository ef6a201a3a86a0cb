#include <gtest/gtest.h>

#include "config/diagnostic.hpp"
#include "dse/csv.hpp"

namespace qarch::dse {
namespace {

TEST(Csv, QuotesOnlyWhatNeedsIt) {
  EXPECT_EQ(csv_field("plain"), "plain");
  EXPECT_EQ(csv_field("a,b"), "\"a,b\"");
  EXPECT_EQ(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(csv_field("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(csv_row({"a", "", "c"}), "a,,c\n");
}

TEST(Csv, RoundTrips) {
  CsvTable table;
  table.header = {"x", "note", "empty"};
  table.rows = {{"1", "a, \"b\"\nc", ""}, {"2", "", ""}, {"", "", ""}};
  const std::string text = render_csv(table);
  const CsvTable back = parse_csv(text, "t.csv");
  EXPECT_EQ(back.header, table.header);
  EXPECT_EQ(back.rows, table.rows);
  EXPECT_EQ(render_csv(back), text);
}

TEST(Csv, ReadsCrLfAndFindsColumns) {
  const CsvTable t = parse_csv("a,b\r\n1,2\r\n", "t.csv");
  ASSERT_EQ(t.rows.size(), 1u);
  EXPECT_EQ(t.rows[0][1], "2");
  EXPECT_EQ(t.column("b").value_or(9), 1u);
  EXPECT_FALSE(t.column("c").has_value());
}

TEST(Csv, MalformedRowsNameTheLine) {
  try {
    parse_csv("a,b\n1,2\n\"x\ny\",2\n1,2,3\n", "t.csv");
    FAIL();
  } catch (const config::InputError& e) {
    EXPECT_EQ(e.diagnostics()[0].to_string(), "t.csv:5: expected 2 fields as in the header, got 3");
  }
  EXPECT_THROW(parse_csv("a,b\n\"open,2\n", "t.csv"), config::InputError);
  EXPECT_THROW(parse_csv("", "t.csv"), config::InputError);
}

}  // namespace
}  // namespace qarch::dse
