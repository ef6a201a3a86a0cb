// Constraints on results rows (dse/constraint.hpp): arithmetic against a hand evaluation,
// every comparison, missing values, and syntax errors that say where.

#include <gtest/gtest.h>

#include "config/diagnostic.hpp"
#include "dse/constraint.hpp"

namespace qarch::dse {
namespace {

CsvTable table() {
  CsvTable t;
  t.header = {"top1", "reference_top1", "energy_pj", "area_um2"};
  t.rows = {{"0.905", "0.91", "2e9", "3500000"}, {"0.85", "0.91", "1e9", ""}};
  return t;
}

bool holds(const std::string& text, std::size_t row = 0) {
  const CsvTable t = table();
  return Constraint::parse(text).holds(t, t.rows[row]).value();
}

TEST(Constraint, ArithmeticFollowsPrecedenceAndParentheses) {
  EXPECT_TRUE(holds("top1>=reference_top1-0.01"));
  EXPECT_FALSE(holds("top1>=reference_top1-0.01", 1));
  EXPECT_TRUE(holds("area_um2*1e-6 <= 3.5"));            // 3.5 mm2
  EXPECT_FALSE(holds("area_um2*1e-6 < 3.5"));
  EXPECT_TRUE(holds("2 + 3 * 4 == 14"));                 // not (2 + 3) * 4
  EXPECT_TRUE(holds("(2 + 3) * 4 == 20"));
  EXPECT_TRUE(holds("-energy_pj / 1e9 == -2"));
  EXPECT_TRUE(holds("10 - 4 - 3 == 3"));                 // left to right
  EXPECT_TRUE(holds("energy_pj != 1e9"));
  EXPECT_TRUE(holds("energy_pj > 1e9"));
  EXPECT_EQ(Constraint::parse("top1 >= reference_top1 - top1").columns(),
            (std::vector<std::string>{"top1", "reference_top1"}));
}

TEST(Constraint, AnEmptyValueIsUnknown) {
  const CsvTable t = table();
  EXPECT_FALSE(Constraint::parse("area_um2 < 1").holds(t, t.rows[1]).has_value());
}

TEST(Constraint, SyntaxErrorsSayWhere) {
  for (const char* bad : {"top1", "top1 >= ", "top1 >= (0.5", "top1 >= 0.5 extra", ">= 1", "top1 => 1", "top1 >= $"}) {
    SCOPED_TRACE(bad);
    try {
      Constraint::parse(bad);
      ADD_FAILURE() << "accepted";
    } catch (const config::InputError& e) {
      EXPECT_NE(std::string(e.what()).find("at character"), std::string::npos) << e.what();
    }
  }
}

TEST(Constraint, ApplyKeepsRowsThatHoldAndNamesUnknownColumns) {
  const Filtered f = apply_constraints(table(), {Constraint::parse("energy_pj <= 1.5e9")}, "r.csv");
  ASSERT_EQ(f.table.rows.size(), 1u);
  EXPECT_EQ(f.table.rows[0][0], "0.85");
  ASSERT_EQ(f.notes.size(), 1u);
  EXPECT_NE(f.notes[0].find("1 rows do not satisfy energy_pj <= 1.5e9"), std::string::npos);
  try {
    apply_constraints(table(), {Constraint::parse("top_1 > 0")}, "r.csv");
    ADD_FAILURE() << "accepted an unknown column";
  } catch (const config::InputError& e) {
    EXPECT_NE(std::string(e.what()).find("r.csv"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("did you mean 'top1'"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace qarch::dse
