// The DRAM controller against closed forms of its timing rules (one constraint at a time), and
// the accelerator-side wrapper.

#include <gtest/gtest.h>

#include <vector>

#include "sim/dram_controller.hpp"
#include "sim/dram_timing.hpp"

namespace qarch::sim {
namespace {

arch::DramSpec device(const char* name, bool refresh = true) {
  arch::DramSpec d = arch::load_dram_device(arch::default_models_dir(), name);
  if (!refresh) d.timing.refi = 0;
  return d;
}

std::vector<DramRequest> reads(const std::vector<std::int64_t>& addresses) {
  std::vector<DramRequest> r;
  for (const std::int64_t a : addresses) r.push_back(DramRequest{a, false, 0, 0});
  return r;
}

TEST(DramController, IdleReadTakesActivateColumnBurstAndTwoCycles) {
  for (const char* name : {"ddr4-3200", "hbm2", "lpddr4-2400", "lpddr4-3200"}) {
    const arch::DramSpec d = device(name);
    DramController c(d);
    auto r = reads({0});
    c.serve(r);
    EXPECT_EQ(r[0].done, d.timing.rcd + d.timing.cl + d.burst_length / 2 + 2) << name;
  }
}

TEST(DramController, SameBankNewRowEveryAccessRunsAtTheRowCycle) {
  // ddr4-3200's map: row above bit 18. Same bank, next row: activate to activate is tRAS + tRP.
  const arch::DramSpec d = device("ddr4-3200", false);
  std::vector<std::int64_t> a;
  for (int i = 0; i < 20; ++i) a.push_back(std::int64_t{i} << 18);
  DramController c(d);
  auto r = reads(a);
  c.serve(r);
  for (std::size_t i = 1; i < r.size(); ++i) EXPECT_EQ(r[i].done - r[i - 1].done, d.timing.ras + d.timing.rp) << i;
  EXPECT_EQ(c.counters().row_hits, 0);
  EXPECT_EQ(c.counters().row_misses, 20);
}

TEST(DramController, SequentialStreamReachesPeakWithoutRefresh) {
  for (const char* name : {"ddr4-3200", "hbm2", "lpddr4-3200"}) {
    const arch::DramSpec d = device(name, false);
    DramController c(d);
    std::vector<std::int64_t> a;
    for (std::int64_t b = 0; b < (1 << 20); b += d.burst_bytes()) a.push_back(b);
    auto r = reads(a);
    const std::int64_t last = c.serve(r);
    // Every channel's bus busy a burst_length / 2 per burst, after the first access.
    const std::int64_t busy = static_cast<std::int64_t>(a.size()) / d.channels * (d.burst_length / 2);
    EXPECT_GE(last, busy) << name;
    EXPECT_LE(last, busy + 3 * (d.timing.rcd + d.timing.cl + d.timing.rp)) << name;
    EXPECT_EQ(c.counters().refreshes, 0);
  }
}

TEST(DramController, RefreshTakesItsShareOfTheBus) {
  const arch::DramSpec d = device("hbm2");
  DramController with(d), without(device("hbm2", false));
  std::vector<std::int64_t> a;
  for (std::int64_t b = 0; b < (4 << 20); b += 64) a.push_back(b);
  auto r1 = reads(a), r2 = reads(a);
  const double t1 = static_cast<double>(with.serve(r1)), t2 = static_cast<double>(without.serve(r2));
  const double share = static_cast<double>(d.timing.rfc) / d.timing.refi;  // 6.7%
  EXPECT_NEAR(t1 / t2 - 1, share, 0.02);
  // Every channel refreshes once per tREFI while busy.
  EXPECT_NEAR(static_cast<double>(with.counters().refreshes), d.channels * t1 / d.timing.refi, d.channels);
}

TEST(DramController, FourActivatesPerFawWindow) {
  // 16 reads to the 16 banks of one rank, each needing an activate: tFAW allows 4 per window,
  // so the 16th activate is at least 3 tFAW after the first.
  arch::DramSpec d = device("ddr4-3200", false);
  d.ranks = 1;
  d.timing.faw = 100;  // far above 4 x tRRD, so the window is what binds
  std::vector<std::int64_t> a;
  for (int bank = 0; bank < 4; ++bank)
    for (int group = 0; group < 4; ++group) a.push_back((std::int64_t{bank} << 15) | (std::int64_t{group} << 6));
  DramController c(d);
  auto r = reads(a);
  const std::int64_t last = c.serve(r);
  EXPECT_GE(last, 1 + 3 * 100 + d.timing.rcd + d.timing.cl + d.burst_length / 2 + 1);
  EXPECT_LT(last, 1 + 4 * 100 + d.timing.rcd + d.timing.cl + d.burst_length / 2 + 1);
}

TEST(DramController, ReadAfterWriteWaitsForTheWriteToRecover) {
  const arch::DramSpec d = device("ddr4-3200", false);
  DramController c(d);
  std::vector<DramRequest> r = {DramRequest{0, true, 0, 0}, DramRequest{64 * 4, false, 0, 0}};  // same group and row
  c.serve(r);
  // The write's data ends CWL + burst after its column; the read's column waits tWTR_L more.
  const std::int64_t write_end = r[0].done - 1;
  EXPECT_EQ(r[1].done, write_end + d.timing.wtr_l + d.timing.cl + d.burst_length / 2 + 1);
}

TEST(DramController, FrFcfsServesOpenRowsFirst) {
  // Alternating rows of one bank: first-ready takes the queued hits of the open row before
  // switching, so there are 2 activates, not 8.
  const arch::DramSpec d = device("ddr4-3200", false);
  std::vector<std::int64_t> a;
  for (int i = 0; i < 8; ++i) a.push_back((std::int64_t{i % 2} << 18) + std::int64_t{i / 2} * 256);
  DramController c(d);
  auto r = reads(a);
  c.serve(r);
  EXPECT_EQ(c.counters().row_misses, 2);
  EXPECT_EQ(c.counters().row_hits, 6);
}

TEST(DramTiming, IdealMemoryCountsButTakesNoTime) {
  DramTiming dram(device("hbm2"), 1.0, true);
  dram.post(100, 1000, true, 5000);
  EXPECT_EQ(dram.flush(), 5000);
  EXPECT_EQ(dram.counters().write_bytes, 1000);
  EXPECT_EQ(dram.counters().bursts, 17);  // bytes 100..1099 touch 64-B bursts 1..17
}

TEST(DramTiming, AJobIsDoneWhenItsLastBurstCompletes) {
  // At 1 GHz and tCK 1 ns (hbm2) device cycles are accelerator cycles.
  DramTiming dram(device("hbm2"), 1.0, false);
  dram.post(0, 64, false, 0);
  const arch::DramSpec d = device("hbm2");
  EXPECT_EQ(dram.flush(), (d.timing.rcd + d.timing.cl + d.burst_length / 2 + 2) * kMilliCyclesPerCycle);
}

}  // namespace
}  // namespace qarch::sim
