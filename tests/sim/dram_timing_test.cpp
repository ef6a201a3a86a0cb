// The DRAM timing model on its own.

#include <gtest/gtest.h>

#include "sim/dram_timing.hpp"

namespace qarch::sim {
namespace {

TEST(DramTiming, SequentialStreamRunsAtBandwidthAfterLatency) {
  const arch::DramSpec spec = arch::dram_preset(arch::DramType::Lpddr4);
  DramTiming dram(spec, 1.0, false);
  const std::int64_t bytes = 1 << 20;
  const std::int64_t done = dram.access(0, bytes, false, 0);
  // 1 MiB at 25.6 GB/s = 40960 ns; 32-B bursts of 1.25 ns each.
  const double ns = static_cast<double>(done) / kMilliCyclesPerCycle;
  EXPECT_GT(ns, 40960.0);
  EXPECT_LT(ns, 40960.0 + 200.0);  // latency + first activation, then the bus is never idle
  EXPECT_EQ(dram.counters().bursts, bytes / 32);
  EXPECT_EQ(dram.counters().row_misses, bytes / 2048);  // one activation per 2 KiB row
  EXPECT_EQ(dram.counters().row_hits, bytes / 32 - bytes / 2048);
  EXPECT_EQ(dram.counters().read_bytes, bytes);
}

TEST(DramTiming, RowConflictsCostPrechargeAndActivate) {
  arch::DramSpec spec = arch::dram_preset(arch::DramType::Ddr4);
  DramTiming dram(spec, 1.0, false);
  const std::int64_t same_bank_next_row = std::int64_t{spec.row_buffer_bytes} * spec.banks;
  const std::int64_t first = dram.access(0, 64, false, 0);
  const std::int64_t conflict = dram.access(same_bank_next_row, 64, false, first);
  const std::int64_t hit = dram.access(same_bank_next_row + 64, 64, false, conflict);
  EXPECT_EQ(dram.counters().row_misses, 2);
  EXPECT_EQ(dram.counters().row_hits, 1);
  const std::int64_t rp_rcd = 2 * 13750;  // 13.75 ns each at 1 GHz, in milli-cycles
  EXPECT_EQ((conflict - first) - (hit - conflict), rp_rcd);
}

TEST(DramTiming, IdealMemoryCountsButTakesNoTime) {
  DramTiming dram(arch::dram_preset(arch::DramType::Hbm2), 1.0, true);
  EXPECT_EQ(dram.access(100, 1000, true, 5000), 5000);
  EXPECT_EQ(dram.counters().write_bytes, 1000);
  EXPECT_EQ(dram.counters().bursts, 32);  // bytes 100..1099 touch bursts 3..34
}

}  // namespace
}  // namespace qarch::sim
