#pragma once
// LLM inference on one design point: the prefill of a P-token prompt and G decode steps of a
// transformer decoder (workload/decoder.hpp), for `batch` sequences at once (docs/llm.md).
//
// Every step is a network of one block and the head; a block row stands for all blocks. Steps
// are mapped like any network, and simulated in one elaboration with this reuse: the layers of
// a decode step that do not see the cache (projections, MLP, norms, head) are the same at every
// context, so they are simulated once, at the first decode step; the attention layers (scores,
// softmax, context) are mapped and simulated at every context P + 1 ... P + G.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "eval/evaluate.hpp"
#include "workload/decoder.hpp"

namespace qarch::eval {

enum class Phase { Prefill, Decode, Generate };
std::optional<Phase> parse_phase(std::string_view text);  // "prefill", "decode", "generate"
std::string to_string(Phase phase);

struct GenerationSettings {
  Phase phase = Phase::Generate;
  std::int64_t prompt_tokens = 128;    // P >= 1
  std::int64_t generate_tokens = 128;  // G >= 1 (ignored by Prefill)
  std::int64_t batch = 1;              // B >= 1
};

// The report of the phase(s): rows "prefill.<layer>" (the prefill) and "decode.<layer>" (one
// decode step, the last: context P + G), each over every block; network totals over the whole
// run (NetworkResult::run_totals when the rows are one step of several), and
// NetworkResult::generation. Weights stay on chip (memory.weights_resident auto) only when the
// whole model's fit. Throws config::InputError when the settings do not suit the model (a
// context beyond max_context).
report::NetworkResult evaluate_generation(const arch::ArchSpec& arch, const workload::DecoderSpec& decoder,
                                          const GenerationSettings& settings, const Options& options);

}  // namespace qarch::eval
