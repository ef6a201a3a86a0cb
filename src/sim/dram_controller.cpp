#include "sim/dram_controller.hpp"

#include <algorithm>
#include <stdexcept>

namespace qarch::sim {

namespace {

int log2_of(std::int64_t v) {
  int bits = 0;
  while ((std::int64_t{1} << bits) < v) ++bits;
  return bits;
}

int kind_of(const std::string& name) {
  if (name == "rank") return 1;
  if (name == "channel") return 2;
  if (name == "bankgroup") return 3;
  if (name == "bank") return 4;
  if (name == "column") return 5;
  return 0;
}

}  // namespace

DramController::DramController(const arch::DramSpec& spec) : spec_(spec) {
  burst_bytes_ = std::max(1, spec.burst_bytes());
  burst_shift_ = log2_of(burst_bytes_);
  beats_ = std::max(1, spec.burst_length / 2);
  // address_map lists fields from the most significant; decode from the least.
  std::vector<std::string> names = arch::address_map_fields(spec.address_map);
  std::reverse(names.begin(), names.end());
  for (const std::string& name : names) {
    const int kind = kind_of(name);
    int bits = 0;
    switch (kind) {
      case 1: bits = log2_of(spec.ranks); break;
      case 2: bits = log2_of(spec.channels); break;
      case 3: bits = log2_of(spec.bank_groups); break;
      case 4: bits = log2_of(spec.banks_per_group); break;
      case 5: bits = log2_of(spec.page_bytes / burst_bytes_); break;
      default: continue;  // the row takes what is left
    }
    field_shift_[static_cast<std::size_t>(kind)] = row_shift_;
    field_mask_[static_cast<std::size_t>(kind)] = (std::int64_t{1} << bits) - 1;
    row_shift_ += bits;
  }
  const auto groups = static_cast<std::size_t>(spec.bank_groups);
  channels_.resize(static_cast<std::size_t>(spec.channels));
  for (Channel& ch : channels_) {
    ch.banks.resize(static_cast<std::size_t>(spec.ranks * spec.banks_per_rank()));
    ch.ranks.resize(static_cast<std::size_t>(spec.ranks));
    for (std::size_t i = 0; i < ch.banks.size(); ++i) {  // the inverse of decode()'s bank index
      const int per_rank = spec.banks_per_rank();
      ch.banks[i].rank = static_cast<int>(i) / per_rank;
      ch.banks[i].group = static_cast<int>(i) % per_rank / spec.banks_per_group;
    }
    for (std::size_t r = 0; r < ch.ranks.size(); ++r) {
      Rank& rank = ch.ranks[r];
      rank.act_group_ok.assign(groups, 0);
      rank.rd_group_ok.assign(groups, 0);
      rank.wr_group_ok.assign(groups, 0);
      rank.faw.fill(-kNever);
      // Ranks refresh staggered over the interval.
      rank.next_refresh = spec.timing.refi > 0
                              ? spec.timing.refi * static_cast<std::int64_t>(r + 1) / spec.ranks
                              : kNever;
    }
  }
}

DramController::Target DramController::decode(std::int64_t address) const {
  const std::int64_t burst = address >> burst_shift_;  // bursts are a power of two (arch checks)
  const auto field = [&](std::size_t kind) {
    return static_cast<int>((burst >> field_shift_[kind]) & field_mask_[kind]);
  };
  Target t;
  t.rank = field(1);
  t.channel = field(2);
  t.group = field(3);
  t.row = burst >> row_shift_;  // every bit above the other fields, wherever the row sits in the map
  t.bank = (t.rank * spec_.bank_groups + t.group) * spec_.banks_per_group + field(4);  // the column selects no state
  return t;
}

std::int64_t DramController::column_ok(const Channel& ch, const Bank& b, bool write) const {
  const Rank& r = ch.ranks[static_cast<std::size_t>(b.rank)];
  const auto g = static_cast<std::size_t>(b.group);
  const arch::JedecTiming& x = spec_.timing;
  std::int64_t ok = std::max(b.col_ok, ch.cmd_ok);
  if (write) {
    ok = std::max({ok, r.wr_ok, r.wr_group_ok[g], ch.wr_after_rd, ch.bus_free - x.cwl});
  } else {
    ok = std::max({ok, r.rd_ok, r.rd_group_ok[g], ch.bus_free - x.cl});
  }
  return ok;
}

std::int64_t DramController::activate_ok(const Channel& ch, const Bank& b) const {
  const Rank& r = ch.ranks[static_cast<std::size_t>(b.rank)];
  const std::int64_t oldest = r.faw[static_cast<std::size_t>(r.faw_next)];  // the fourth last
  return std::max({b.act_ok, ch.cmd_ok, r.act_ok, r.act_group_ok[static_cast<std::size_t>(b.group)],
                   oldest + spec_.timing.faw});
}

void DramController::activate(Channel& ch, const Target& t, std::int64_t now) {
  const arch::JedecTiming& x = spec_.timing;
  Bank& b = ch.banks[static_cast<std::size_t>(t.bank)];
  Rank& r = ch.ranks[static_cast<std::size_t>(t.rank)];
  b.open_row = t.row;
  b.fresh = true;
  b.col_ok = now + x.rcd;
  b.pre_ok = now + x.ras;
  b.act_ok = now + x.ras + x.rp;
  r.act_ok = std::max(r.act_ok, now + x.rrd_s);
  auto& group_ok = r.act_group_ok[static_cast<std::size_t>(t.group)];
  group_ok = std::max(group_ok, now + x.rrd_l);
  r.faw[static_cast<std::size_t>(r.faw_next)] = now;
  r.faw_next = (r.faw_next + 1) % 4;
  ch.cmd_ok = now + 1;
}

void DramController::precharge(Channel& ch, int bank, std::int64_t now) {
  Bank& b = ch.banks[static_cast<std::size_t>(bank)];
  b.open_row = -1;
  b.fresh = false;
  b.act_ok = std::max(b.act_ok, now + spec_.timing.rp);
  ch.cmd_ok = now + 1;
}

void DramController::column(Channel& ch, int bank, std::size_t slot, std::int64_t now) {
  const arch::JedecTiming& x = spec_.timing;
  Bank& b = ch.banks[static_cast<std::size_t>(bank)];
  const int index = b.queue[slot].request;
  DramRequest& q = (*requests_)[static_cast<std::size_t>(index)];
  const Target& t = targets_[static_cast<std::size_t>(index)];
  Rank& r = ch.ranks[static_cast<std::size_t>(t.rank)];
  const auto g = static_cast<std::size_t>(t.group);
  ++counters_.bursts;
  (b.fresh ? counters_.row_misses : counters_.row_hits) += 1;
  b.fresh = false;
  if (q.write) {
    const std::int64_t end = now + x.cwl + beats_;
    counters_.write_bytes += burst_bytes_;
    for (std::size_t i = 0; i < r.rd_group_ok.size(); ++i) {
      r.rd_group_ok[i] = std::max(r.rd_group_ok[i], end + (i == g ? x.wtr_l : x.wtr_s));
      r.wr_group_ok[i] = std::max(r.wr_group_ok[i], now + (i == g ? x.ccd_l : x.ccd_s));
    }
    r.rd_ok = std::max(r.rd_ok, end + x.wtr_s);
    r.wr_ok = std::max(r.wr_ok, now + x.ccd_s);
    b.pre_ok = std::max(b.pre_ok, end + x.wr);
    ch.bus_free = end;
    q.done = end + 1;
  } else {
    const std::int64_t end = now + x.cl + beats_;
    counters_.read_bytes += burst_bytes_;
    for (std::size_t i = 0; i < r.rd_group_ok.size(); ++i) {
      r.rd_group_ok[i] = std::max(r.rd_group_ok[i], now + (i == g ? x.ccd_l : x.ccd_s));
      r.wr_group_ok[i] = std::max(r.wr_group_ok[i], now + (i == g ? x.ccd_l : x.ccd_s));
    }
    r.rd_ok = std::max(r.rd_ok, now + x.ccd_s);
    b.pre_ok = std::max(b.pre_ok, now + x.rtp);
    ch.bus_free = end;
    ch.wr_after_rd = std::max(ch.wr_after_rd, end + 1 - x.cwl);  // one idle cycle between directions
    q.done = end + 1;
  }
  ch.cmd_ok = now + 1;
  b.queue.erase(b.queue.begin() + static_cast<std::ptrdiff_t>(slot));
  if (b.queue.empty()) ch.active.erase(std::find(ch.active.begin(), ch.active.end(), bank));
  if (b.waiting_head < b.waiting.size()) {  // the oldest transaction for this bank takes the free slot
    const int next = b.waiting[b.waiting_head++];
    if (b.waiting_head == b.waiting.size()) b.waiting.clear(), b.waiting_head = 0;
    --ch.transactions;
    enqueue(ch, bank, next, now);
  }
  if (!spec_.open_page) {  // auto-precharge unless another queued request wants this row
    const bool wanted =
        std::any_of(b.queue.begin(), b.queue.end(), [&](const Queued& other) { return other.row == t.row; });
    if (!wanted) {
      b.open_row = -1;
      b.act_ok = std::max(b.act_ok, b.pre_ok + x.rp);
    }
  }
}

// A due refresh of `rank`: precharge its open banks, then refresh when all are closed.
bool DramController::refresh(Channel& ch, int rank, std::int64_t now, std::int64_t& earliest) {
  const int per_rank = spec_.banks_per_rank();
  std::int64_t all_closed_ok = ch.cmd_ok;
  for (int i = rank * per_rank; i < (rank + 1) * per_rank; ++i) {
    Bank& b = ch.banks[static_cast<std::size_t>(i)];
    if (b.open_row >= 0) {
      const std::int64_t ok = std::max(b.pre_ok, ch.cmd_ok);
      if (ok <= now) {
        precharge(ch, i, now);
        return true;
      }
      earliest = std::min(earliest, ok);
      return false;
    }
    all_closed_ok = std::max(all_closed_ok, b.act_ok);
  }
  if (all_closed_ok > now) {
    earliest = std::min(earliest, all_closed_ok);
    return false;
  }
  for (int i = rank * per_rank; i < (rank + 1) * per_rank; ++i) {
    Bank& b = ch.banks[static_cast<std::size_t>(i)];
    b.act_ok = std::max(b.act_ok, now + spec_.timing.rfc);
  }
  Rank& r = ch.ranks[static_cast<std::size_t>(rank)];
  r.refresh_due = false;
  r.next_refresh += spec_.timing.refi;
  ++counters_.refreshes;
  ch.cmd_ok = now + 1;
  return true;
}

// Refreshes whose whole window passed while the device was idle happened then.
void DramController::catch_up_refresh(std::int64_t now) {
  const arch::JedecTiming& x = spec_.timing;
  if (x.refi <= 0) return;
  const int per_rank = spec_.banks_per_rank();
  for (Channel& ch : channels_) {
    for (std::size_t r = 0; r < ch.ranks.size(); ++r) {
      Rank& rank = ch.ranks[r];
      while (rank.next_refresh + x.rp + x.rfc <= now) {
        const std::int64_t start = rank.next_refresh;
        for (int i = static_cast<int>(r) * per_rank; i < static_cast<int>(r + 1) * per_rank; ++i) {
          Bank& b = ch.banks[static_cast<std::size_t>(i)];
          const std::int64_t closed = b.open_row >= 0 ? std::max(start, b.pre_ok) + x.rp : start;
          b.open_row = -1;
          b.fresh = false;
          b.act_ok = std::max(b.act_ok, closed + x.rfc);
        }
        rank.refresh_due = false;
        rank.next_refresh += x.refi;
        ++counters_.refreshes;
      }
    }
  }
}

// Into the bank's command queue; it can be scheduled from the next cycle.
void DramController::enqueue(Channel& ch, int bank, int request, std::int64_t now) {
  Bank& b = ch.banks[static_cast<std::size_t>(bank)];
  if (b.queue.empty()) ch.active.push_back(bank);
  const auto i = static_cast<std::size_t>(request);
  Queued& q = b.queue.emplace_back();  // filled in place: a temporary's copy stalls on store forwarding
  q.request = request;
  q.write = (*requests_)[i].write;
  q.row = targets_[i].row;
  q.ready = now + 1;
  ch.wake = 0;
}

// First ready, first come, per bank: a bank's candidate is its oldest request that hits the
// open row, else its oldest request (whose activate or precharge is then due); across banks
// the oldest ready candidate wins, column commands before row commands.
bool DramController::schedule(int c, std::int64_t now, std::int64_t& earliest) {
  Channel& ch = channels_[static_cast<std::size_t>(c)];
  if (ch.wake > now) {
    earliest = std::min(earliest, ch.wake);
    return false;
  }
  if (ch.cmd_ok > now) {
    earliest = std::min(earliest, ch.cmd_ok);
    return false;
  }
  std::int64_t next = kNever;
  for (std::size_t r = 0; r < ch.ranks.size(); ++r) {
    Rank& rank = ch.ranks[r];
    if (!rank.refresh_due && rank.next_refresh <= now) rank.refresh_due = true;
    if (rank.refresh_due) {
      if (refresh(ch, static_cast<int>(r), now, next)) return true;
    } else {
      next = std::min(next, rank.next_refresh);
    }
  }
  {
    int hit_bank = -1, hit_request = INT32_MAX, row_bank = -1, row_request = INT32_MAX;
    std::size_t hit_slot = 0;
    bool row_is_activate = false;
    for (const int bank : ch.active) {
      const Bank& b = ch.banks[static_cast<std::size_t>(bank)];
      if (ch.ranks[static_cast<std::size_t>(b.rank)].refresh_due) continue;
      std::size_t slot = b.queue.size();
      if (b.open_row >= 0) {
        for (std::size_t i = 0; i < b.queue.size(); ++i) {
          if (b.queue[i].row == b.open_row) {
            slot = i;
            break;
          }
        }
      }
      if (slot < b.queue.size()) {  // a row hit
        const Queued& q = b.queue[slot];
        const std::int64_t ok = std::max(q.ready, column_ok(ch, b, q.write));
        if (ok <= now) {
          if (q.request < hit_request) hit_bank = bank, hit_request = q.request, hit_slot = slot;
        } else {
          next = std::min(next, ok);
        }
        continue;
      }
      const Queued& head = b.queue.front();
      const std::int64_t ok = std::max(head.ready, b.open_row < 0 ? activate_ok(ch, b) : std::max(b.pre_ok, ch.cmd_ok));
      if (ok <= now) {
        if (head.request < row_request) row_bank = bank, row_request = head.request, row_is_activate = b.open_row < 0;
      } else {
        next = std::min(next, ok);
      }
    }
    if (hit_bank >= 0) {
      column(ch, hit_bank, hit_slot, now);
      return true;
    }
    if (row_bank >= 0) {
      if (row_is_activate) {
        activate(ch, targets_[static_cast<std::size_t>(row_request)], now);
      } else {
        precharge(ch, row_bank, now);
      }
      return true;
    }
  }
  ch.wake = next;
  earliest = std::min(earliest, next);
  return false;
}

void DramController::count(const std::vector<DramRequest>& requests) {
  for (const DramRequest& q : requests) {
    const Target t = decode(q.address);
    Bank& b = channels_[static_cast<std::size_t>(t.channel)].banks[static_cast<std::size_t>(t.bank)];
    ++counters_.bursts;
    (b.open_row == t.row ? counters_.row_hits : counters_.row_misses) += 1;
    b.open_row = spec_.open_page ? t.row : -1;
    (q.write ? counters_.write_bytes : counters_.read_bytes) += burst_bytes_;
  }
}

std::int64_t DramController::serve(std::vector<DramRequest>& requests) {
  if (requests.empty()) return now_;
  requests_ = &requests;
  targets_.resize(requests.size());
  for (std::size_t i = 0; i < requests.size(); ++i) targets_[i] = decode(requests[i].address);
  std::int64_t now = std::max(now_, requests.front().arrival);
  catch_up_refresh(now);
  std::size_t admitted = 0, completed = 0;
  std::int64_t last = now;
  while (completed < requests.size()) {
    while (admitted < requests.size() && requests[admitted].arrival <= now) {
      Channel& ch = channels_[static_cast<std::size_t>(targets_[admitted].channel)];
      if (ch.transactions >= spec_.queue_depth) break;
      const int bank = targets_[admitted].bank;
      Bank& b = ch.banks[static_cast<std::size_t>(bank)];
      if (b.waiting_head == b.waiting.size() && static_cast<int>(b.queue.size()) < spec_.bank_queue_depth) {
        enqueue(ch, bank, static_cast<int>(admitted), now);
      } else {
        b.waiting.push_back(static_cast<int>(admitted));
        ++ch.transactions;
      }
      ++admitted;
    }
    bool issued = false;
    std::int64_t earliest = kNever;
    std::int64_t idle_refresh = kNever;  // the next refresh of a channel with nothing queued
    for (int c = 0; c < static_cast<int>(channels_.size()); ++c) {
      Channel& ch = channels_[static_cast<std::size_t>(c)];
      if (ch.active.empty() && std::none_of(ch.ranks.begin(), ch.ranks.end(), [&](const Rank& r) {
            return r.refresh_due || r.next_refresh <= now;
          })) {
        for (const Rank& r : ch.ranks) idle_refresh = std::min(idle_refresh, r.next_refresh);
        continue;
      }
      const std::int64_t bursts = counters_.bursts;
      if (schedule(c, now, earliest)) {
        issued = true;
        completed += static_cast<std::size_t>(counters_.bursts - bursts);
      }
    }
    if (issued) {
      ++now;
      continue;
    }
    if (admitted < requests.size()) {
      // A request that has arrived is held back by a full transaction queue, which only a column
      // command of its channel empties: nothing changes before a command can issue (or an idle
      // channel's refresh falls due, which such a cycle would start).
      earliest = std::min(earliest, requests[admitted].arrival > now ? requests[admitted].arrival : idle_refresh);
    }
    if (earliest >= kNever) throw std::logic_error("dram: no command can ever issue (scheduler deadlock)");
    now = std::max(now + 1, earliest);
  }
  for (const DramRequest& q : requests) last = std::max(last, q.done);
  now_ = last;
  requests_ = nullptr;
  return last;
}

}  // namespace qarch::sim
