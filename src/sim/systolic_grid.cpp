#include "sim/systolic_grid.hpp"

#include <algorithm>
#include <stdexcept>

namespace qarch::sim {

using arch::Dataflow;
using mapping::Unit;

SystolicGrid::SystolicGrid(const mapping::Mapping& mapping, const mapping::FoldWork& fold)
    : mp_(mapping),
      fold_(fold),
      rows_(mapping.rows),
      cols_(mapping.cols),
      used_rows_(fold.systolic.used_rows),
      used_cols_(fold.systolic.used_cols),
      t_(fold.systolic.t) {
  const auto pes = static_cast<std::size_t>(rows_ * cols_);
  if (mp_.unit == Unit::Systolic) {
    h_.assign(pes, Token{});
    v_.assign(pes, Token{});
    next_h_ = h_;
    next_v_ = v_;
    stationary_valid_.assign(pes, 0);
    steps_.assign(pes, 0);
  }
  if (mp_.unit == Unit::Vector) {
    remaining_ops_ = fold.accesses.input_reads;
    done_ = remaining_ops_ == 0;
  }
}

void SystolicGrid::step() {
  if (done_) return;
  switch (mp_.unit) {
    case Unit::Systolic:
      if (mp_.dataflow == Dataflow::OutputStationary) {
        step_output_stationary();
      } else {
        step_stationary();
      }
      break;
    case Unit::RowStationary: step_row_stationary(); break;
    case Unit::Vector: step_vector(); break;
  }
  ++cycle_;
}

void SystolicGrid::step_stationary() {
  const bool ws = mp_.dataflow == Dataflow::WeightStationary;
  std::int64_t& stationary_reads = ws ? accesses_.weight_reads : accesses_.input_reads;
  std::int64_t& stream_reads = ws ? accesses_.input_reads : accesses_.weight_reads;
  if (cycle_ < rows_) {  // preload: shift the stationary tile down one row
    const std::int64_t entering = rows_ - 1 - cycle_;  // the row this value will settle in
    for (std::int64_t r = rows_ - 1; r > 0; --r)
      for (std::int64_t c = 0; c < cols_; ++c)
        stationary_valid_[static_cast<std::size_t>(r * cols_ + c)] =
            stationary_valid_[static_cast<std::size_t>((r - 1) * cols_ + c)];
    for (std::int64_t c = 0; c < cols_; ++c) {
      const bool valid = entering < used_rows_ && c < used_cols_;
      stationary_valid_[static_cast<std::size_t>(c)] = valid ? 1 : 0;
      stationary_reads += valid ? 1 : 0;
    }
    return;
  }
  const std::int64_t tau = cycle_ - rows_;
  for (std::int64_t r = 0; r < rows_; ++r) {
    for (std::int64_t c = cols_ - 1; c > 0; --c) at(next_h_, r, c) = at(h_, r, c - 1);
    Token in;
    const std::int64_t j = tau - r;
    if (j >= 0 && j < t_) {
      in = {j, r < used_rows_};
      stream_reads += in.valid ? 1 : 0;
    }
    at(next_h_, r, 0) = in;
  }
  for (std::int64_t r = 0; r < rows_; ++r) {
    for (std::int64_t c = 0; c < cols_; ++c) {
      const Token& x = at(next_h_, r, c);
      if (x.index < 0) continue;
      // The partial sum of slot x.index arrives from the PE above in the same cycle as x.
      if (x.valid && stationary_valid_[static_cast<std::size_t>(r * cols_ + c)]) ++accesses_.macs;
      if (r == rows_ - 1) {  // leaves the bottom edge into the output buffer
        ++finished_;
        if (c < used_cols_) {
          ++accesses_.output_writes;
          if (fold_.systolic.row_fold > 0) ++accesses_.psum_reads;
        }
      }
    }
  }
  std::swap(h_, next_h_);
  if (finished_ == cols_ * t_) done_ = true;
}

void SystolicGrid::step_output_stationary() {
  for (std::int64_t r = 0; r < rows_; ++r) {
    for (std::int64_t c = cols_ - 1; c > 0; --c) at(next_h_, r, c) = at(h_, r, c - 1);
    Token in;
    if (cycle_ - r >= 0 && cycle_ - r < t_) {
      in = {cycle_ - r, r < used_rows_};
      accesses_.input_reads += in.valid ? 1 : 0;
    }
    at(next_h_, r, 0) = in;
  }
  for (std::int64_t c = 0; c < cols_; ++c) {
    for (std::int64_t r = rows_ - 1; r > 0; --r) at(next_v_, r, c) = at(v_, r - 1, c);
    Token in;
    if (cycle_ - c >= 0 && cycle_ - c < t_) {
      in = {cycle_ - c, c < used_cols_};
      accesses_.weight_reads += in.valid ? 1 : 0;
    }
    at(next_v_, 0, c) = in;
  }
  for (std::int64_t r = 0; r < rows_; ++r) {
    for (std::int64_t c = 0; c < cols_; ++c) {
      const Token& a = at(next_h_, r, c);
      const Token& b = at(next_v_, r, c);
      if (a.index < 0 && b.index < 0) continue;
      if (a.index != b.index) throw std::logic_error("os operands out of step");
      if (a.valid && b.valid) ++accesses_.macs;
      if (++steps_[static_cast<std::size_t>(r * cols_ + c)] == t_) {
        ++finished_;
        if (a.valid && b.valid) ++accesses_.output_writes;
      }
    }
  }
  std::swap(h_, next_h_);
  std::swap(v_, next_v_);
  if (finished_ == rows_ * cols_) done_ = true;
}

void SystolicGrid::step_row_stationary() {
  const mapping::RowStationaryProblem& p = mp_.rs_problem;
  const mapping::RowStationaryPass& pass = fold_.pass;
  const std::int64_t per_channel = p.filter_w + p.out_w * p.filter_w;
  if (channel_ < p.channels) {
    if (phase_cycle_ == 0) {  // the channel's ifmap rows stream past the sets once
      const std::int64_t rows_touched = p.stride_h <= pass.used_h
                                            ? (pass.used_w - 1) * p.stride_h + pass.used_h
                                            : pass.used_w * pass.used_h;
      accesses_.input_reads += pass.batches * rows_touched * mp_.rs.ifmap_row_values;
    }
    const std::int64_t active_pes = pass.items * pass.used_h * pass.used_w;
    if (phase_cycle_ < p.filter_w) {
      accesses_.weight_reads += pass.items * pass.used_h;  // one weight per PE row, multicast
    } else {
      accesses_.macs += active_pes;
    }
    if (++phase_cycle_ == per_channel) {
      phase_cycle_ = 0;
      ++channel_;
    }
    if (channel_ < p.channels || mp_.rs.set_h > 1) return;
  } else if (++phase_cycle_ < mp_.rs.set_h - 1) {
    return;  // psums descend the set, one row per cycle
  }
  // The bottom row of every set writes its output row.
  accesses_.output_writes += pass.items * pass.used_w * p.out_w;
  if (pass.r_fold > 0) accesses_.psum_reads += pass.items * pass.used_w * p.out_w;
  done_ = true;
}

void SystolicGrid::step_vector() {
  const std::int64_t now = std::min<std::int64_t>(remaining_ops_, mp_.vector.lanes);
  accesses_.input_reads += now;
  remaining_ops_ -= now;
  if (remaining_ops_ == 0) {
    accesses_.output_writes = fold_.accesses.output_writes;
    done_ = true;
  }
}

}  // namespace qarch::sim
