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
  beats_ = std::max(1, spec.burst_length / 2);
  // address_map lists fields from the most significant; decode from the least.
  std::vector<std::string> names;
  std::string part;
  for (char c : spec.address_map + ",") {
    if (c == ',') {
      names.push_back(part);
      part.clear();
    } else if (c != ' ') {
      part += c;
    }
  }
  std::reverse(names.begin(), names.end());
  for (const std::string& name : names) {
    Field f;
    f.kind = kind_of(name);
    switch (f.kind) {
      case 1: f.bits = log2_of(spec.ranks); break;
      case 2: f.bits = log2_of(spec.channels); break;
      case 3: f.bits = log2_of(spec.bank_groups); break;
      case 4: f.bits = log2_of(spec.banks_per_group); break;
      case 5: f.bits = log2_of(spec.page_bytes / burst_bytes_); break;
      default: f.bits = 0; break;  // the row takes what is left
    }
    fields_.push_back(f);
  }
  const auto groups = static_cast<std::size_t>(spec.bank_groups);
  channels_.resize(static_cast<std::size_t>(spec.channels));
  for (Channel& ch : channels_) {
    ch.banks.resize(static_cast<std::size_t>(spec.ranks * spec.banks_per_rank()));
    ch.ranks.resize(static_cast<std::size_t>(spec.ranks));
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
  std::int64_t rest = address / burst_bytes_;
  Target t;
  int group = 0, bank = 0;
  for (const Field& f : fields_) {
    if (f.kind == 0) continue;
    const std::int64_t v = rest & ((std::int64_t{1} << f.bits) - 1);
    rest >>= f.bits;
    switch (f.kind) {
      case 1: t.rank = static_cast<int>(v); break;
      case 2: t.channel = static_cast<int>(v); break;
      case 3: group = static_cast<int>(v); break;
      case 4: bank = static_cast<int>(v); break;
      default: break;  // the column selects no state
    }
  }
  t.row = rest;  // every bit above the other fields, wherever the row sits in the map
  t.group = group;
  t.bank = (t.rank * spec_.bank_groups + group) * spec_.banks_per_group + bank;
  return t;
}

std::int64_t DramController::column_ok(const Channel& ch, const Target& t, bool write) const {
  const Bank& b = ch.banks[static_cast<std::size_t>(t.bank)];
  const Rank& r = ch.ranks[static_cast<std::size_t>(t.rank)];
  const auto g = static_cast<std::size_t>(t.group);
  const arch::JedecTiming& x = spec_.timing;
  std::int64_t ok = std::max(b.col_ok, ch.cmd_ok);
  if (write) {
    ok = std::max({ok, r.wr_ok, r.wr_group_ok[g], ch.wr_after_rd, ch.bus_free - x.cwl});
  } else {
    ok = std::max({ok, r.rd_ok, r.rd_group_ok[g], ch.bus_free - x.cl});
  }
  return ok;
}

std::int64_t DramController::activate_ok(const Channel& ch, const Target& t) const {
  const Bank& b = ch.banks[static_cast<std::size_t>(t.bank)];
  const Rank& r = ch.ranks[static_cast<std::size_t>(t.rank)];
  const std::int64_t oldest = r.faw[static_cast<std::size_t>(r.faw_next)];  // the fourth last
  return std::max({b.act_ok, ch.cmd_ok, r.act_ok, r.act_group_ok[static_cast<std::size_t>(t.group)],
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

void DramController::column(Channel& ch, std::size_t slot, std::int64_t now) {
  const arch::JedecTiming& x = spec_.timing;
  const int index = ch.queue[slot].request;
  DramRequest& q = (*requests_)[static_cast<std::size_t>(index)];
  const Target& t = targets_[static_cast<std::size_t>(index)];
  Bank& b = ch.banks[static_cast<std::size_t>(t.bank)];
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
  ch.queue.erase(ch.queue.begin() + static_cast<std::ptrdiff_t>(slot));
  --b.queued;
  if (!spec_.open_page) {  // auto-precharge unless another queued request wants this row
    bool wanted = false;
    for (const Queued& other : ch.queue) {
      const Target& o = targets_[static_cast<std::size_t>(other.request)];
      wanted = wanted || (o.bank == t.bank && o.row == t.row);
    }
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

// Oldest first, each transaction whose bank's command queue has room; it can be scheduled from
// the next cycle.
void DramController::to_command_queues(Channel& ch, std::int64_t now) {
  std::size_t kept = 0;
  for (std::size_t i = 0; i < ch.transactions.size(); ++i) {
    const int request = ch.transactions[i];
    Bank& b = ch.banks[static_cast<std::size_t>(targets_[static_cast<std::size_t>(request)].bank)];
    if (b.queued < spec_.bank_queue_depth) {
      ++b.queued;
      ch.queue.push_back(Queued{request, now + 1});
    } else {
      ch.transactions[kept++] = request;
    }
  }
  ch.transactions.resize(kept);
}

bool DramController::schedule(int c, std::int64_t now, std::int64_t& earliest) {
  Channel& ch = channels_[static_cast<std::size_t>(c)];
  if (ch.cmd_ok > now) {
    earliest = std::min(earliest, ch.cmd_ok);
    return false;
  }
  for (std::size_t r = 0; r < ch.ranks.size(); ++r) {
    Rank& rank = ch.ranks[r];
    if (!rank.refresh_due && rank.next_refresh <= now) rank.refresh_due = true;
    if (rank.refresh_due) {
      if (refresh(ch, static_cast<int>(r), now, earliest)) return true;
    } else {
      earliest = std::min(earliest, rank.next_refresh);
    }
  }
  ++pass_;
  // First ready: the oldest row hit whose column command is legal now.
  for (std::size_t i = 0; i < ch.queue.size(); ++i) {
    const Queued& q = ch.queue[i];
    const Target& t = targets_[static_cast<std::size_t>(q.request)];
    Bank& b = ch.banks[static_cast<std::size_t>(t.bank)];
    if (b.open_row != t.row || ch.ranks[static_cast<std::size_t>(t.rank)].refresh_due) continue;
    b.hit_stamp = pass_;
    const std::int64_t ok = std::max(q.ready, column_ok(ch, t, (*requests_)[static_cast<std::size_t>(q.request)].write));
    if (ok <= now) {
      column(ch, i, now);
      return true;
    }
    earliest = std::min(earliest, ok);
  }
  // First come: for each bank's oldest request that misses, its activate or precharge.
  for (const Queued& q : ch.queue) {
    const Target& t = targets_[static_cast<std::size_t>(q.request)];
    Bank& b = ch.banks[static_cast<std::size_t>(t.bank)];
    if (b.stamp == pass_) continue;
    b.stamp = pass_;
    if (b.open_row == t.row || ch.ranks[static_cast<std::size_t>(t.rank)].refresh_due) continue;
    std::int64_t ok = 0;
    if (b.open_row < 0) {
      ok = std::max(q.ready, activate_ok(ch, t));
      if (ok <= now) {
        activate(ch, t, now);
        return true;
      }
    } else {
      if (b.hit_stamp == pass_) continue;  // its open row is still wanted
      ok = std::max({q.ready, b.pre_ok, ch.cmd_ok});
      if (ok <= now) {
        precharge(ch, t.bank, now);
        return true;
      }
    }
    earliest = std::min(earliest, ok);
  }
  return false;
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
      if (static_cast<int>(ch.transactions.size()) >= spec_.queue_depth) break;
      ch.transactions.push_back(static_cast<int>(admitted));
      ++admitted;
    }
    for (Channel& ch : channels_)
      if (!ch.transactions.empty()) to_command_queues(ch, now);
    bool issued = false;
    std::int64_t earliest = kNever;
    for (int c = 0; c < static_cast<int>(channels_.size()); ++c) {
      const std::size_t before = channels_[static_cast<std::size_t>(c)].queue.size();
      if (before == 0 && std::none_of(channels_[static_cast<std::size_t>(c)].ranks.begin(),
                                      channels_[static_cast<std::size_t>(c)].ranks.end(),
                                      [&](const Rank& r) { return r.refresh_due || r.next_refresh <= now; }))
        continue;
      if (schedule(c, now, earliest)) {
        issued = true;
        if (channels_[static_cast<std::size_t>(c)].queue.size() < before) ++completed;
      }
    }
    if (issued) {
      ++now;
      continue;
    }
    if (admitted < requests.size()) earliest = std::min(earliest, std::max(now + 1, requests[admitted].arrival));
    if (earliest >= kNever) throw std::logic_error("dram: no command can ever issue (scheduler deadlock)");
    now = std::max(now + 1, earliest);
  }
  for (const DramRequest& q : requests) last = std::max(last, q.done);
  now_ = last;
  requests_ = nullptr;
  return last;
}

}  // namespace qarch::sim
