#pragma once
// A JEDEC DRAM device behind an FR-FCFS controller, in device clock cycles (tCK). Plain C++:
// sim's Dram module and `qarch dram` drive it; docs/architecture.md, "DRAM", states the model.
//
// The address (above the burst offset) splits into row, rank, channel, bank group, bank and
// column fields in the device's address_map order. Each channel has a transaction queue of
// queue_depth requests, admitted in arrival order (a full queue holds back everything behind
// it), from which requests move, oldest first, into per-bank command queues of
// bank_queue_depth (a request moves when its bank's queue has room); and one command bus. Only
// requests in the command queues are scheduled. Every cycle a channel issues at most one command, chosen first-ready, first-come:
// the oldest request whose row is open and whose column command meets every timing constraint;
// else, for the oldest request of each bank, the activate (closed bank) or precharge (another
// row open, and no queued request wants it) that is legal now, oldest first. Constraints:
// tRCD, tRP, tRAS, tRC, CL/CWL, tCCD_S/L, tRRD_S/L, tFAW, tWTR_S/L, tWR, tRTP, read-to-write
// turnaround on the shared data bus, one burst of burst_length / 2 cycles on the bus at a time.
// Each rank refreshes every tREFI: it stops taking activates and column commands, precharges,
// and is busy for tRFC. Closed page: a row closes after its last queued access.
// A request admitted at cycle a can be scheduled from a + 1; its completion is reported one
// cycle after its last data beat (so an idle read takes tRCD + CL + burst + 2 cycles).

#include <array>
#include <cstdint>
#include <vector>

#include "arch/arch_spec.hpp"

namespace qarch::sim {

struct DramRequest {
  std::int64_t address = 0;
  bool write = false;
  std::int64_t arrival = 0;  // device cycle it reaches the controller
  std::int64_t done = 0;     // serve(): the cycle its completion is reported
};

struct DramCounters {
  std::int64_t read_bytes = 0, write_bytes = 0;
  std::int64_t bursts = 0, row_hits = 0, row_misses = 0;
  std::int64_t refreshes = 0;
};

class DramController {
 public:
  explicit DramController(const arch::DramSpec& spec);

  // Serves `requests` (one burst each, arrivals non-decreasing) to completion and sets their
  // `done`. Calls follow each other in time: a later call's requests arrive after the earlier
  // ones are done (the device state carries over). Returns the last completion.
  std::int64_t serve(std::vector<DramRequest>& requests);

  // Counts `requests` as an ideal memory would see them: in order, each bank's row left open
  // (open page), no timing. For memory.ideal, where nothing waits for the DRAM.
  void count(const std::vector<DramRequest>& requests);

  int burst_bytes() const { return burst_bytes_; }
  std::int64_t now() const { return now_; }
  const DramCounters& counters() const { return counters_; }
  void reset_counters() { counters_ = DramCounters{}; }

 private:
  static constexpr std::int64_t kNever = INT64_MAX / 4;

  struct Target {
    int channel = 0, rank = 0, group = 0, bank = 0;  // bank: index within the channel
    std::int64_t row = 0;
  };
  // A request in its bank's command queue, with what the scheduler reads of it every cycle
  // (kept here rather than looked up by index: the scan over the queue is the hot loop).
  struct Queued {
    int request = 0;
    bool write = false;
    std::int64_t row = 0;
    std::int64_t ready = 0;  // the cycle from which it can be scheduled
  };
  struct Bank {
    int rank = 0, group = 0;
    std::int64_t open_row = -1;
    bool fresh = false;  // activated, not yet accessed: the next access is the row miss
    std::int64_t act_ok = 0, pre_ok = 0, col_ok = 0;
    std::vector<Queued> queue;  // its command queue, oldest first
    std::vector<int> waiting;   // its requests in the transaction queue, oldest first from waiting_head
    std::size_t waiting_head = 0;
  };
  struct Rank {
    std::int64_t act_ok = 0, rd_ok = 0, wr_ok = 0;
    std::vector<std::int64_t> act_group_ok, rd_group_ok, wr_group_ok;
    std::array<std::int64_t, 4> faw{};  // the last four activates, a ring
    int faw_next = 0;
    std::int64_t next_refresh = 0;
    bool refresh_due = false;
  };
  struct Channel {
    int transactions = 0;           // admitted, waiting for room in their bank's command queue
    std::vector<int> active;        // banks whose command queue is not empty
    std::int64_t wake = 0;          // no command can issue before this cycle (until state changes)
    std::vector<Bank> banks;
    std::vector<Rank> ranks;
    std::int64_t cmd_ok = 0;       // one command per cycle
    std::int64_t bus_free = 0;     // end of the last data burst
    std::int64_t wr_after_rd = 0;  // read-to-write turnaround
  };

  Target decode(std::int64_t address) const;
  // Issues the best legal command of channel `c` at `now` (true), or returns false with
  // `earliest` lowered to when a command could next be legal.
  bool schedule(int c, std::int64_t now, std::int64_t& earliest);
  std::int64_t column_ok(const Channel& ch, const Bank& b, bool write) const;
  std::int64_t activate_ok(const Channel& ch, const Bank& b) const;
  void activate(Channel& ch, const Target& t, std::int64_t now);
  void precharge(Channel& ch, int bank, std::int64_t now);
  void column(Channel& ch, int bank, std::size_t slot, std::int64_t now);
  bool refresh(Channel& ch, int rank, std::int64_t now, std::int64_t& earliest);
  void catch_up_refresh(std::int64_t now);
  void enqueue(Channel& ch, int bank, int request, std::int64_t now);

  arch::DramSpec spec_;
  int burst_bytes_ = 64;
  int burst_shift_ = 6;
  int beats_ = 4;  // cycles one burst holds the data bus
  // Where each field sits in a burst address (address >> burst_shift_), by kind: 0 row, 1 rank,
  // 2 channel, 3 bankgroup, 4 bank, 5 column. The row is every bit above the others.
  std::array<int, 6> field_shift_{};
  std::array<std::int64_t, 6> field_mask_{};
  int row_shift_ = 0;
  std::vector<Channel> channels_;
  std::vector<DramRequest>* requests_ = nullptr;
  std::vector<Target> targets_;
  std::int64_t now_ = 0;
  DramCounters counters_;
};

}  // namespace qarch::sim
