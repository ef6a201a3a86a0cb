#pragma once
// The reference engine's per-PE, per-cycle model of one fold on the array (plain C++; the
// PeArray module clocks it). Operands move one PE per cycle as tokens; a token is "valid" when
// it carries real data, a bubble when it only fills an unused row or column. Fold length, MACs
// and edge accesses emerge from the movement; nothing here uses the closed form.
//
// ws/is: the stationary tile shifts in from the top, one row per cycle (rows cycles); then row
// r's feeder injects stream element j at cycle rows + j + r; tokens move right, partial sums
// move down in step with them and leave the bottom edge, where the output buffer takes them.
// os: row r's feeder injects operand A's element k at cycle k + r, column c's feeder operand
// B's element k at cycle k + c; each PE multiplies what meets in it and writes its sum after
// its t-th step.
// rs: each used PE loads a filter row (S cycles) and performs F * S MACs per channel; the set's
// partial sums then descend set_h - 1 rows.

#include <cstdint>
#include <vector>

#include "mapping/fold_plan.hpp"

namespace qarch::sim {

class SystolicGrid {
 public:
  SystolicGrid(const mapping::Mapping& mapping, const mapping::FoldWork& fold);

  void step();  // one clock cycle
  bool done() const { return done_; }
  std::int64_t cycles() const { return cycle_; }
  const mapping::FoldAccesses& accesses() const { return accesses_; }

 private:
  struct Token {
    std::int64_t index = -1;  // stream position, -1: empty
    bool valid = false;
  };
  Token& at(std::vector<Token>& v, std::int64_t r, std::int64_t c) {
    return v[static_cast<std::size_t>(r * cols_ + c)];
  }
  void step_stationary();
  void step_output_stationary();
  void step_row_stationary();
  void step_vector();

  const mapping::Mapping& mp_;
  const mapping::FoldWork& fold_;
  std::int64_t rows_, cols_, used_rows_, used_cols_, t_;
  std::int64_t cycle_ = 0;
  bool done_ = false;
  mapping::FoldAccesses accesses_;
  std::vector<Token> h_, v_, next_h_, next_v_;
  std::vector<char> stationary_valid_;
  std::vector<std::int64_t> steps_;
  std::int64_t finished_ = 0;  // tokens left the array (ws/is) or PEs done (os)
  std::int64_t channel_ = 0, phase_cycle_ = 0;  // rs: current channel and cycle inside it
  std::int64_t remaining_ops_ = 0;              // vector
};

}  // namespace qarch::sim
