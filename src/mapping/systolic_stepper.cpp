// The systolic dataflows' per-cycle reference: every PE of the rows x cols grid, every cycle.
// Operands move one PE per cycle as tokens; a token is "valid" when it carries real data, a
// bubble when it only fills an unused row or column. Fold length, MACs and edge accesses emerge
// from the movement; nothing here uses the closed form (systolic.hpp).
//
// ws/is: the stationary tile shifts in from the top, one row per cycle (rows cycles); then row
// r's feeder injects stream element j at cycle rows + j + r; tokens move right, partial sums
// move down in step with them and leave the bottom edge, where the output buffer takes them.
// os: row r's feeder injects operand A's element k at cycle k + r, column c's feeder operand
// B's element k at cycle k + c; each PE multiplies what meets in it and writes its sum after
// its t-th step.
// With L lanes per PE (Mapping::lanes) the grid has rows x cols virtual PEs, L of them in each
// physical PE: a token moving along a row enters L virtual columns at once (one PE per cycle),
// and column c's feeder and sums are skewed by its physical column c / L.

#include <stdexcept>
#include <vector>

#include "mapping/fold_plan.hpp"
#include "mapping/systolic_dataflow.hpp"

namespace qarch::mapping {

namespace {

class SystolicStepper final : public FoldStepper {
 public:
  SystolicStepper(const Mapping& mp, const FoldWork& work)
      : dataflow_(mp.dataflow), fold_(systolic_fold(mp, work.fold)), rows_(mp.rows), cols_(mp.cols),
        lanes_(mp.lanes), pe_cols_(mp.cols / mp.lanes) {
    const auto pes = static_cast<std::size_t>(rows_ * cols_);
    h_.assign(static_cast<std::size_t>(rows_ * pe_cols_), Token{});
    v_.assign(pes, Token{});
    next_h_ = h_;
    next_v_ = v_;
    stationary_valid_.assign(pes, 0);
    steps_.assign(pes, 0);
  }

  void step() override {
    if (done_) return;
    if (dataflow_ == arch::Dataflow::OutputStationary) {
      step_output_stationary();
    } else {
      step_stationary();
    }
    ++cycle_;
  }
  bool done() const override { return done_; }
  std::int64_t cycles() const override { return cycle_; }
  const FoldAccesses& accesses() const override { return accesses_; }

 private:
  struct Token {
    std::int64_t index = -1;  // stream position, -1: empty
    bool valid = false;
  };
  // A vertical token of virtual column c; a horizontal one of physical column p.
  Token& at(std::vector<Token>& v, std::int64_t r, std::int64_t c) {
    return v[static_cast<std::size_t>(r * cols_ + c)];
  }
  Token& at_pe(std::vector<Token>& h, std::int64_t r, std::int64_t p) {
    return h[static_cast<std::size_t>(r * pe_cols_ + p)];
  }

  void step_stationary() {
    const bool ws = dataflow_ == arch::Dataflow::WeightStationary;
    std::int64_t& stationary_reads = ws ? accesses_.weight_reads : accesses_.input_reads;
    std::int64_t& stream_reads = ws ? accesses_.input_reads : accesses_.weight_reads;
    if (cycle_ < rows_) {  // preload: shift the stationary tile down one row
      const std::int64_t entering = rows_ - 1 - cycle_;  // the row this value will settle in
      for (std::int64_t r = rows_ - 1; r > 0; --r)
        for (std::int64_t c = 0; c < cols_; ++c)
          stationary_valid_[static_cast<std::size_t>(r * cols_ + c)] =
              stationary_valid_[static_cast<std::size_t>((r - 1) * cols_ + c)];
      for (std::int64_t c = 0; c < cols_; ++c) {
        const bool valid = entering < fold_.used_rows && c < fold_.used_cols;
        stationary_valid_[static_cast<std::size_t>(c)] = valid ? 1 : 0;
        stationary_reads += valid ? 1 : 0;
      }
      return;
    }
    const std::int64_t tau = cycle_ - rows_;
    for (std::int64_t r = 0; r < rows_; ++r) {
      for (std::int64_t p = pe_cols_ - 1; p > 0; --p) at_pe(next_h_, r, p) = at_pe(h_, r, p - 1);
      Token in;
      const std::int64_t j = tau - r;
      if (j >= 0 && j < fold_.t) {
        in = {j, r < fold_.used_rows};
        stream_reads += in.valid ? 1 : 0;
      }
      at_pe(next_h_, r, 0) = in;
    }
    for (std::int64_t r = 0; r < rows_; ++r) {
      for (std::int64_t c = 0; c < cols_; ++c) {
        const Token& x = at_pe(next_h_, r, c / lanes_);
        if (x.index < 0) continue;
        // The partial sum of slot x.index arrives from the PE above in the same cycle as x.
        if (x.valid && stationary_valid_[static_cast<std::size_t>(r * cols_ + c)]) ++accesses_.macs;
        if (r == rows_ - 1) {  // leaves the bottom edge into the output buffer
          ++finished_;
          if (c < fold_.used_cols) {
            ++accesses_.output_writes;
            if (fold_.row_fold > 0) ++accesses_.psum_reads;
          }
        }
      }
    }
    std::swap(h_, next_h_);
    if (finished_ == cols_ * fold_.t) done_ = true;
  }

  void step_output_stationary() {
    for (std::int64_t r = 0; r < rows_; ++r) {
      for (std::int64_t p = pe_cols_ - 1; p > 0; --p) at_pe(next_h_, r, p) = at_pe(h_, r, p - 1);
      Token in;
      if (cycle_ - r >= 0 && cycle_ - r < fold_.t) {
        in = {cycle_ - r, r < fold_.used_rows};
        accesses_.input_reads += in.valid ? 1 : 0;
      }
      at_pe(next_h_, r, 0) = in;
    }
    for (std::int64_t c = 0; c < cols_; ++c) {
      for (std::int64_t r = rows_ - 1; r > 0; --r) at(next_v_, r, c) = at(v_, r - 1, c);
      Token in;
      const std::int64_t k = cycle_ - c / lanes_;
      if (k >= 0 && k < fold_.t) {
        in = {k, c < fold_.used_cols};
        accesses_.weight_reads += in.valid ? 1 : 0;
      }
      at(next_v_, 0, c) = in;
    }
    for (std::int64_t r = 0; r < rows_; ++r) {
      for (std::int64_t c = 0; c < cols_; ++c) {
        const Token& a = at_pe(next_h_, r, c / lanes_);
        const Token& b = at(next_v_, r, c);
        if (a.index < 0 && b.index < 0) continue;
        if (a.index != b.index) throw std::logic_error("os operands out of step");
        if (a.valid && b.valid) ++accesses_.macs;
        if (++steps_[static_cast<std::size_t>(r * cols_ + c)] == fold_.t) {
          ++finished_;
          if (a.valid && b.valid) ++accesses_.output_writes;
        }
      }
    }
    std::swap(h_, next_h_);
    std::swap(v_, next_v_);
    if (finished_ == rows_ * cols_) done_ = true;
  }

  arch::Dataflow dataflow_;
  SystolicFold fold_;
  std::int64_t rows_, cols_;
  std::int64_t lanes_, pe_cols_;
  std::int64_t cycle_ = 0;
  bool done_ = false;
  FoldAccesses accesses_;
  std::vector<Token> h_, v_, next_h_, next_v_;
  std::vector<char> stationary_valid_;
  std::vector<std::int64_t> steps_;
  std::int64_t finished_ = 0;  // tokens left the array (ws/is) or PEs done (os)
};

}  // namespace

std::unique_ptr<FoldStepper> systolic_stepper(const Mapping& mapping, const FoldWork& work) {
  return std::make_unique<SystolicStepper>(mapping, work);
}

}  // namespace qarch::mapping
