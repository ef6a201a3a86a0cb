#include <gtest/gtest.h>

#include <random>

#include "config/diagnostic.hpp"
#include "dse/pareto.hpp"

namespace qarch::dse {
namespace {

// The definition, checked pairwise: i is on the front iff no j dominates it.
std::vector<std::size_t> brute_force(const std::vector<std::vector<double>>& v,
                                     const std::vector<bool>& maximize) {
  std::vector<std::size_t> front;
  for (std::size_t i = 0; i < v.size(); ++i) {
    bool dominated = false;
    for (std::size_t j = 0; j < v.size() && !dominated; ++j) {
      bool no_worse = true, better = false;
      for (std::size_t k = 0; k < maximize.size(); ++k) {
        const double a = v[j][k], b = v[i][k];
        const bool worse = maximize[k] ? a < b : a > b;
        const bool strictly = maximize[k] ? a > b : a < b;
        no_worse = no_worse && !worse;
        better = better || strictly;
      }
      dominated = no_worse && better;
    }
    if (!dominated) front.push_back(i);
  }
  return front;
}

TEST(Pareto, MatchesBruteForceOnRandomSets) {
  std::mt19937 rng(12345);
  for (int trial = 0; trial < 400; ++trial) {
    const std::size_t objectives = 1 + trial % 4;
    const std::size_t n = std::uniform_int_distribution<std::size_t>(0, 80)(rng);
    // Few distinct values, so ties and duplicates are common.
    std::uniform_int_distribution<int> value(0, trial % 2 ? 5 : 1000);
    std::vector<std::vector<double>> v(n, std::vector<double>(objectives));
    for (auto& row : v) {
      for (auto& x : row) x = value(rng) * 0.5;
    }
    std::vector<bool> maximize(objectives);
    for (std::size_t k = 0; k < objectives; ++k) maximize[k] = (rng() & 1u) != 0;
    ASSERT_EQ(pareto_front(v, maximize), brute_force(v, maximize)) << "trial " << trial;
  }
}

TEST(Pareto, KnownSmallFront) {
  // minimize energy, maximize accuracy
  const std::vector<std::vector<double>> v = {{10, 0.9}, {5, 0.8}, {12, 0.95}, {6, 0.7},
                                              {5, 0.8}, {20, 0.95}};
  EXPECT_EQ(pareto_front(v, {false, true}), (std::vector<std::size_t>{0, 1, 2, 4}));
  EXPECT_TRUE(dominates({5, 0.8}, {6, 0.7}, {false, true}));
  EXPECT_FALSE(dominates({5, 0.8}, {5, 0.8}, {false, true}));
}

CsvTable results_table() {
  CsvTable t;
  t.header = {"point", "status", "energy_pj", "top1", "macs"};
  t.rows = {{"0", "ok", "10", "0.9", "1"},     {"1", "ok", "5", "0.8", "1"},
            {"2", "failed", "1", "0.99", "1"}, {"3", "ok", "", "0.99", "1"},
            {"4", "ok", "4", "", "1"},         {"5", "ok", "11", "0.85", "1"},
            {"6", "pending", "", "", ""}};
  return t;
}

TEST(Pareto, TableLeavesOutFailedAndEmptyWithNotes) {
  const FrontResult r = pareto_front(results_table(), {{"energy_pj", false}, {"top1", true}}, "r.csv");
  ASSERT_EQ(r.front.rows.size(), 2u);
  EXPECT_EQ(r.front.rows[0][0], "0");
  EXPECT_EQ(r.front.rows[1][0], "1");
  EXPECT_EQ(r.candidates, 3u);
  ASSERT_EQ(r.notes.size(), 3u);
  EXPECT_EQ(r.notes[0].rfind("2 of 7 rows are not status ok", 0), 0u);
  EXPECT_EQ(r.notes[1].rfind("1 rows have no value for energy_pj", 0), 0u);
  EXPECT_EQ(r.notes[2].rfind("1 rows have no value for top1", 0), 0u);
  EXPECT_EQ(r.front.header, results_table().header);
}

TEST(Pareto, UnknownColumnSuggests) {
  try {
    pareto_front(results_table(), {{"energy", false}}, "r.csv");
    FAIL();
  } catch (const config::InputError& e) {
    EXPECT_NE(std::string(e.what()).find("r.csv: no column 'energy' (did you mean 'energy_pj'?)"),
              std::string::npos)
        << e.what();
  }
  EXPECT_THROW(pareto_front(results_table(), {}, "r.csv"), config::InputError);
}

}  // namespace
}  // namespace qarch::dse
