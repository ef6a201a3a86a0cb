#pragma once
// Transformer decoders (GPT-2, Llama) described by their published hyper-parameters, and the
// network of one inference step built from them (docs/workloads.md, "Decoders").
//
// A step runs `tokens` new tokens of each of `batch` sequences through the model, attending to
// `context` cached tokens (the new ones included): prefill is tokens = context = prompt length,
// a decode step is tokens = 1 with context growing by one per step. The step network holds the
// repeated block once (the caller multiplies its layers by `layers`), then the final norm and
// the LM head. Attention reads K and V from the KV cache in DRAM (the b operands name
// "kv_cache.k" / "kv_cache.v", which no layer produces): the new tokens' K and V are written
// there by the k and v projections and read back with the rest of the cache.

#include <cstdint>
#include <string>

#include "config/document.hpp"
#include "workload/network.hpp"

namespace qarch::workload {

enum class FeedForward { Gelu, SwiGlu };  // GPT-2: up, gelu, down; Llama: gate_up, swiglu, down
enum class Norm { LayerNorm, RmsNorm };

struct DecoderSpec {
  std::string name;
  std::string source_file;
  std::int64_t layers = 1;    // blocks
  std::int64_t hidden = 0;    // model width
  std::int64_t heads = 1;     // query heads
  std::int64_t kv_heads = 1;  // key/value heads (grouped-query when fewer than heads)
  std::int64_t head_dim = 0;
  std::int64_t ffn = 0;       // feed-forward width (SwiGLU: of each of gate and up)
  std::int64_t vocab = 0;
  FeedForward feed_forward = FeedForward::Gelu;
  Norm norm = Norm::LayerNorm;
  bool rope = false;                // rotary position embedding on q and k
  std::int64_t max_context = 0;     // longest sequence the model was trained for
  std::int64_t sequence = 128;      // tokens of a plain `qarch run` (a prefill of this prompt)
  LayerQuantization kv_cache;       // format of the cached K and V (weight_format of the attention matmuls)

  // Weights of one block and of the whole model (LM head included; the embedding table, of
  // which a step reads only its tokens' rows, is not).
  std::int64_t block_weights() const;
  std::int64_t model_weights() const;
};

// The block's layers are the first `block_layers` of the step network.
struct DecoderStep {
  Network network;
  std::size_t block_layers = 0;
};

// Layer and cache names start with `prefix` (several steps side by side in one simulation).
DecoderStep decoder_step(const DecoderSpec& spec, std::int64_t tokens, std::int64_t context, std::int64_t batch,
                         const std::string& prefix = {});

// The layers of a step whose work grows with the context (attention: scores, softmax,
// context); every other layer of a decode step is the same at every context.
bool depends_on_context(const std::string& layer_name);

// The whole model on `tokens` tokens (a prefill): every block, its layers named "block<i>.q",
// ..., its cache "block<i>.kv_cache.k", then the head. What `qarch run` runs for a decoder file.
Network decoder_network(const DecoderSpec& spec, std::int64_t tokens, std::int64_t batch);

// A workload file with a `decoder:` section instead of `layers:`; empty for a plain network.
bool is_decoder_file(const config::Document& document);
// Reads and checks the `decoder:` section. Throws config::InputError with every problem.
DecoderSpec load_decoder(const config::Document& document);

}  // namespace qarch::workload
