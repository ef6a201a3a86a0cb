#include "workload/decoder.hpp"

#include <stdexcept>

#include "config/diagnostic.hpp"
#include "config/map_reader.hpp"
#include "workload/shape_inference.hpp"

namespace qarch::workload {

namespace {

using config::Diagnostics;
using config::MapReader;

// Builds the step network layer by layer, each shape inferred from its producers.
class StepBuilder {
 public:
  StepBuilder(Network& net) : net_(net) {}

  Layer& add(Layer l, const std::vector<std::string>& inputs) {
    l.inputs = inputs;
    l.batch = net_.batch;
    l.input = shape_of(inputs.at(0));
    if (inputs.size() > 1) l.input_b = shape_of(inputs[1]);
    if (const std::string problem = infer_shape(l); !problem.empty()) {
      throw std::logic_error("decoder layer " + l.name + ": " + problem);
    }
    net_.layers.push_back(std::move(l));
    return net_.layers.back();
  }

  void cache(const std::string& name, Shape shape) { caches_.emplace_back(name, shape); }

 private:
  Shape shape_of(const std::string& name) const {
    if (name == "input") return net_.input;
    for (const auto& [cache, shape] : caches_)
      if (cache == name) return shape;
    if (const Layer* l = net_.find(name)) return l->output;
    throw std::logic_error("decoder: no tensor " + name);
  }

  Network& net_;
  std::vector<std::pair<std::string, Shape>> caches_;
};

Layer linear(const std::string& name, std::int64_t out) {
  Layer l;
  l.name = name;
  l.type = LayerType::Matmul;
  l.out_features = out;
  return l;
}

Layer vector_op(const std::string& name, const std::string& function) {
  Layer l;
  l.name = name;
  l.type = LayerType::Activation;
  l.function = function;
  return l;
}

Layer attention(const std::string& name, const DecoderSpec& s, bool transpose_b) {
  Layer l;
  l.name = name;
  l.type = LayerType::Matmul;
  l.heads = s.heads;
  l.kv_heads = s.kv_heads;
  l.transpose_b = transpose_b;
  l.quantization.weight_format = s.kv_cache.weight_format;  // b, the cache, plays the weights' part
  return l;
}

Layer add(const std::string& name) {
  Layer l;
  l.name = name;
  l.type = LayerType::Add;
  return l;
}

}  // namespace

std::int64_t DecoderSpec::block_weights() const {
  const std::int64_t attention = hidden * (heads + 2 * kv_heads) * head_dim + heads * head_dim * hidden;
  const std::int64_t mlp = (feed_forward == FeedForward::SwiGlu ? 3 : 2) * hidden * ffn;
  return attention + mlp;
}

std::int64_t DecoderSpec::model_weights() const { return layers * block_weights() + hidden * vocab; }

namespace {

// Adds one block reading `input`; its layers' names and caches start with `prefix`. Returns the
// name of its output.
std::string add_block(StepBuilder& b, const DecoderSpec& s, const std::string& prefix, const std::string& input,
                      std::int64_t context) {
  const std::string norm = s.norm == Norm::RmsNorm ? "rmsnorm" : "layernorm";
  const std::int64_t kv = s.kv_heads * s.head_dim;
  const auto n = [&](const char* name) { return prefix + name; };
  b.cache(n("kv_cache.k"), Shape{kv, context, 1});
  b.cache(n("kv_cache.v"), Shape{kv, context, 1});
  b.add(vector_op(n("norm1"), norm), {input});
  b.add(linear(n("q"), s.heads * s.head_dim), {n("norm1")});
  b.add(linear(n("k"), kv), {n("norm1")});  // written to the cache
  b.add(linear(n("v"), kv), {n("norm1")});
  std::string query = n("q");
  if (s.rope) {
    Layer rope_q = vector_op(n("rope_q"), "rope"), rope_k = vector_op(n("rope_k"), "rope");
    rope_q.heads = s.heads;  // each head's channel pairs rotate by its token's angle
    rope_k.heads = s.kv_heads;
    b.add(rope_q, {n("q")});
    b.add(rope_k, {n("k")});
    query = n("rope_q");
  }
  b.add(attention(n("scores"), s, true), {query, n("kv_cache.k")});
  Layer softmax = vector_op(n("softmax"), "softmax");
  softmax.heads = s.heads;  // each head's scores over the cached keys; new tokens see only earlier ones
  softmax.causal = true;
  b.add(softmax, {n("scores")});
  b.add(attention(n("context"), s, false), {n("softmax"), n("kv_cache.v")});
  b.add(linear(n("o"), s.hidden), {n("context")});
  b.add(add(n("residual1")), {n("o"), input});
  b.add(vector_op(n("norm2"), norm), {n("residual1")});
  if (s.feed_forward == FeedForward::SwiGlu) {
    b.add(linear(n("gate_up"), 2 * s.ffn), {n("norm2")});
    b.add(vector_op(n("swiglu"), "swiglu"), {n("gate_up")});
    b.add(linear(n("down"), s.hidden), {n("swiglu")});
  } else {
    b.add(linear(n("up"), s.ffn), {n("norm2")});
    b.add(vector_op(n("gelu"), "gelu"), {n("up")});
    b.add(linear(n("down"), s.hidden), {n("gelu")});
  }
  b.add(add(n("residual2")), {n("down"), n("residual1")});
  return n("residual2");
}

Network start_network(const DecoderSpec& s, std::int64_t tokens, std::int64_t context, std::int64_t batch) {
  if (tokens < 1 || context < tokens || batch < 1) {
    throw std::invalid_argument("a decoder step needs 1 <= tokens <= context and batch >= 1, got " +
                                std::to_string(tokens) + " tokens in a context of " + std::to_string(context) +
                                ", batch " + std::to_string(batch));
  }
  Network net;
  net.name = s.name;
  net.source_file = s.source_file;
  net.input = Shape{s.hidden, tokens, 1};  // the embedded tokens: their rows of the embedding table
  net.batch = batch;
  return net;
}

void add_head(StepBuilder& b, const DecoderSpec& s, const std::string& prefix, const std::string& input) {
  b.add(vector_op(prefix + "final_norm", s.norm == Norm::RmsNorm ? "rmsnorm" : "layernorm"), {input});
  b.add(linear(prefix + "lm_head", s.vocab), {prefix + "final_norm"});
}

}  // namespace

DecoderStep decoder_step(const DecoderSpec& s, std::int64_t tokens, std::int64_t context, std::int64_t batch,
                         const std::string& prefix) {
  DecoderStep step;
  step.network = start_network(s, tokens, context, batch);
  StepBuilder b(step.network);
  const std::string out = add_block(b, s, prefix, "input", context);
  step.block_layers = step.network.layers.size();
  add_head(b, s, prefix, out);
  return step;
}

Network decoder_network(const DecoderSpec& s, std::int64_t tokens, std::int64_t batch) {
  Network net = start_network(s, tokens, tokens, batch);
  StepBuilder b(net);
  std::string x = "input";
  for (std::int64_t i = 0; i < s.layers; ++i) x = add_block(b, s, "block" + std::to_string(i) + ".", x, tokens);
  add_head(b, s, "", x);
  return net;
}

bool depends_on_context(const std::string& layer_name) {
  const auto ends_with = [&](const std::string& suffix) {
    return layer_name.size() >= suffix.size() &&
           layer_name.compare(layer_name.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  // add_block's names: only these three see the cache.
  return ends_with("scores") || ends_with("softmax") || ends_with("context");
}

bool is_decoder_file(const config::Document& document) {
  return document.root().is_map() && document.root().has("decoder");
}

DecoderSpec load_decoder(const config::Document& document) {
  Diagnostics diagnostics;
  MapReader top(document.root(), diagnostics);
  DecoderSpec s;
  s.source_file = document.file();
  s.name = top.text("name");
  top.text("description", "");
  if (const auto section = top.child("decoder", true)) {
    MapReader d(*section, diagnostics);
    s.layers = d.integer("layers", 1, 1024);
    s.hidden = d.integer("hidden", 1, kMaxDimension);
    s.heads = d.integer("heads", 1, 4096);
    s.kv_heads = d.integer("kv_heads", 1, 4096, s.heads);
    s.head_dim = d.integer("head_dim", 1, 4096, s.heads > 0 ? std::max<std::int64_t>(1, s.hidden / s.heads) : 1);
    s.ffn = d.integer("ffn", 1, kMaxDimension);
    s.vocab = d.integer("vocab", 1, kMaxDimension);
    s.feed_forward = d.choice("feed_forward", {"gelu", "swiglu"}, "gelu") == "swiglu" ? FeedForward::SwiGlu
                                                                                       : FeedForward::Gelu;
    s.norm = d.choice("norm", {"layernorm", "rmsnorm"}, "layernorm") == "rmsnorm" ? Norm::RmsNorm : Norm::LayerNorm;
    s.rope = d.boolean("rope", false);
    s.max_context = d.integer("max_context", 1, kMaxDimension, 2048);
    s.sequence = d.integer("sequence", 1, s.max_context, std::min<std::int64_t>(128, s.max_context));
    if (d.has("kv_cache_format")) {
      try {
        s.kv_cache.weight_format = numerics::Format::parse(d.text("kv_cache_format"));
      } catch (const numerics::FormatError& e) {
        d.error("kv_cache_format", e.what());
      }
    }
    if (s.heads % s.kv_heads != 0) {
      d.error("kv_heads", "must divide heads (" + std::to_string(s.heads) + ")");
    }
    d.finish();
  }
  top.finish();
  diagnostics.throw_if_any();
  return s;
}

}  // namespace qarch::workload
