#include "workload/yaml_network_loader.hpp"

#include <algorithm>
#include <filesystem>
#include <map>

#include "config/map_reader.hpp"
#include "config/suggest.hpp"
#include "workload/shape_inference.hpp"

namespace qarch::workload {
namespace {

using config::Diagnostics;
using config::MapReader;
using config::Value;

constexpr const char* kNetworkInput = "input";
const std::vector<std::string> kLayerTypes = config::names_in(kLayerTypeNames);
const std::vector<std::string> kFunctions = {"relu",    "relu6",     "gelu",    "sigmoid", "tanh",  "softmax",
                                             "layernorm", "rmsnorm", "silu", "swiglu", "rope"};
constexpr std::int64_t kMaxWindow = 4096;
constexpr std::int64_t kMaxBatch = 1 << 16;

template <typename Parsed, typename Parse>
std::optional<Parsed> read_parsed(MapReader& r, const std::string& key, Parse parse) {
  const auto value = r.child(key, false);
  if (!value) return std::nullopt;
  try {
    if (!value->is_scalar()) throw numerics::FormatError("expected a name such as int8");
    return parse(value->scalar());
  } catch (const numerics::FormatError& e) {
    r.diagnostics().add(value->location(), value->path(), e.what());
    return std::nullopt;
  }
}

// A file named relative to the workload file (a .npy parameter file, or a text); it must exist.
std::string read_parameter_file(MapReader& r, const std::string& key, bool required = false,
                                const char* what = "a .npy file") {
  const auto value = r.child(key, required);
  if (!value) return {};
  if (!value->is_scalar() || value->scalar().empty()) {
    r.diagnostics().add(value->location(), value->path(),
                        std::string("expected the path of ") + what + ", got " + config::describe(*value));
    return {};
  }
  std::filesystem::path path(value->scalar());
  if (path.is_relative() && !value->directory().empty()) path = std::filesystem::path(value->directory()) / path;
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    r.diagnostics().add(value->location(), value->path(), "no such file: " + path.string());
    return {};
  }
  return path.string();
}

void read_quantization(MapReader& r, LayerQuantization& q) {
  const auto format = [](const std::string& s) { return numerics::Format::parse(s); };
  q.weight_format = read_parsed<numerics::Format>(r, "weight_format", format);
  q.activation_format = read_parsed<numerics::Format>(r, "activation_format", format);
  q.accumulator_format = read_parsed<numerics::Format>(r, "accumulator_format", format);
  q.multiplier = read_parsed<numerics::MultiplierStyle>(
      r, "multiplier", [](const std::string& s) { return numerics::MultiplierStyle::parse(s); });
  if (r.has("weight_scale")) q.weight_scale = r.number("weight_scale", 0.0, 1e30, std::nullopt, true);
  if (r.has("activation_scale")) {
    q.activation_scale = r.number("activation_scale", 0.0, 1e30, std::nullopt, true);
  }
}

int as_int(std::int64_t v) { return static_cast<int>(v); }

// kernel / stride / padding / dilation of conv2d and pooling.
void read_window(MapReader& r, Layer& l) {
  const bool pool = l.type == LayerType::MaxPool || l.type == LayerType::AvgPool;
  if (pool && r.boolean("global", false)) {
    l.kernel_h = -1;  // resolved to the input size once it is known
    return;
  }
  const auto kernel = r.integers("kernel", {1, 2}, 1, kMaxWindow);
  l.kernel_h = as_int(kernel.front());
  l.kernel_w = as_int(kernel.back());
  const std::vector<std::int64_t> default_stride =
      pool ? std::vector<std::int64_t>{l.kernel_h, l.kernel_w} : std::vector<std::int64_t>{1};
  const auto stride = r.integers("stride", {1, 2}, 1, kMaxWindow, default_stride);
  l.stride_h = as_int(stride.front());
  l.stride_w = as_int(stride.back());
  const auto pad = r.integers("padding", {1, 2, 4}, 0, kMaxWindow, std::vector<std::int64_t>{0});
  if (pad.size() == 4) {
    l.pad_top = as_int(pad[0]);
    l.pad_bottom = as_int(pad[1]);
    l.pad_left = as_int(pad[2]);
    l.pad_right = as_int(pad[3]);
  } else {
    l.pad_top = l.pad_bottom = as_int(pad.front());
    l.pad_left = l.pad_right = as_int(pad.back());
  }
  if (!pool) {
    const auto dilation = r.integers("dilation", {1, 2}, 1, kMaxWindow, std::vector<std::int64_t>{1});
    l.dilation_h = as_int(dilation.front());
    l.dilation_w = as_int(dilation.back());
  }
}

// A layer as written, before its references are resolved.
struct DeclaredLayer {
  Layer layer;
  std::string path;                    // "layers[3]"
  std::vector<std::string> refs;       // producers of operand A (and B)
  std::vector<config::Location> ref_locations;
  bool valid = true;                   // no problem in its own keys
};

std::string read_ref(MapReader& r, const std::string& key, config::Location& where) {
  const auto value = r.child(key, false);
  if (!value) return {};
  where = value->location();
  if (!value->is_scalar() || value->scalar().empty()) {
    r.diagnostics().add(value->location(), value->path(),
                        "expected the name of a layer or '" + std::string(kNetworkInput) +
                            "', got " + config::describe(*value));
    return {};
  }
  return value->scalar();
}

DeclaredLayer read_layer(const Value& element, Diagnostics& diagnostics) {
  DeclaredLayer d;
  d.path = element.path();
  const std::size_t errors_before = diagnostics.size();
  MapReader r(element, diagnostics);
  Layer& l = d.layer;
  l.where = element.location();
  l.name = r.text("name");
  l.type = config::value_in(kLayerTypeNames, r.choice("type", kLayerTypes));
  read_quantization(r, l.quantization);

  config::Location where;
  if (l.type == LayerType::Add && !r.has("inputs") && r.has("weights")) {
    // One activation plus a constant tensor of its shape (a learned position embedding).
    d.refs.push_back(read_ref(r, "input", where));
    d.ref_locations.push_back(where);
  } else if (l.type == LayerType::Add) {
    if (const auto inputs = r.child("inputs", true)) {
      if (!inputs->is_sequence() || inputs->size() != 2) {
        diagnostics.add(inputs->location(), inputs->path(),
                        "expected a list of two layer names, got " + config::describe(*inputs));
      } else {
        for (std::size_t i = 0; i < 2; ++i) {
          d.refs.push_back(inputs->at(i).scalar());
          d.ref_locations.push_back(inputs->at(i).location());
        }
      }
    }
  } else {
    d.refs.push_back(read_ref(r, "input", where));
    d.ref_locations.push_back(where);
  }

  if (l.type == LayerType::Conv2d || l.type == LayerType::Fc || l.type == LayerType::Matmul) {
    l.weights_file = read_parameter_file(r, "weights");
    l.bias_file = read_parameter_file(r, "bias");
  } else if (l.type == LayerType::Add || l.type == LayerType::Embedding) {
    l.weights_file = read_parameter_file(r, "weights");
  }
  switch (l.type) {
    case LayerType::Conv2d:
      l.filters = r.integer("filters", 1, kMaxDimension);
      l.groups = r.integer("groups", 1, kMaxDimension, 1);
      read_window(r, l);
      break;
    case LayerType::MaxPool:
    case LayerType::AvgPool: read_window(r, l); break;
    case LayerType::Fc: l.out_features = r.integer("out_features", 1, kMaxDimension); break;
    case LayerType::Matmul: {
      const bool has_b = r.has("b");
      if (has_b == r.has("out_features")) {
        r.error(has_b ? "b" : "type",
                "a matmul needs either out_features (weights) or b (a second activation), not " +
                    std::string(has_b ? "both" : "neither"));
      }
      if (has_b) {
        config::Location b_where;
        d.refs.push_back(read_ref(r, "b", b_where));
        d.ref_locations.push_back(b_where);
        l.heads = r.integer("heads", 1, kMaxDimension, 1);
        l.kv_heads = r.integer("kv_heads", 1, kMaxDimension, l.heads);
        if (l.heads % l.kv_heads != 0) {
          r.error("kv_heads", "must divide heads (" + std::to_string(l.heads) + "): each of the " +
                                  std::to_string(l.kv_heads) + " heads of b serves the same number of heads of the "
                                  "first operand");
        }
        l.transpose_b = r.boolean("transpose_b", false);
      } else {
        l.out_features = r.integer("out_features", 1, kMaxDimension, 1);
      }
      break;
    }
    case LayerType::Activation:
      l.function = r.choice("function", kFunctions);
      if (l.function == "layernorm" || l.function == "rmsnorm") {
        l.weights_file = read_parameter_file(r, "weights");
        l.bias_file = read_parameter_file(r, "bias");
      } else if (l.function == "softmax") {
        l.heads = r.integer("heads", 1, kMaxDimension, 1);
        l.causal = r.boolean("causal", false);
      } else if (l.function == "rope") {
        l.heads = r.integer("heads", 1, kMaxDimension, 1);
        l.rope_theta = r.number("theta", 1.0, 1e12, 10000.0);
      }
      break;
    case LayerType::Embedding:
      l.vocab = r.integer("vocab", 1, kMaxDimension);
      l.out_features = r.integer("dim", 1, kMaxDimension);
      break;
    case LayerType::Add: break;
  }
  r.finish();
  d.valid = diagnostics.size() == errors_before;
  return d;
}

struct Produced {
  Shape shape;
  bool known = false;  // false when the producer itself had a problem (avoids cascades)
};

}  // namespace

Network load_yaml_network(const config::Document& document) {
  Diagnostics diagnostics;
  MapReader top(document.root(), diagnostics);
  Network net;
  net.source_file = document.file();
  net.name = top.text("name");
  if (const auto input = top.child("input", true)) {
    MapReader in(*input, diagnostics);
    net.input.c = in.integer("channels", 1, kMaxDimension);
    net.input.h = in.integer("height", 1, kMaxDimension);
    net.input.w = in.integer("width", 1, kMaxDimension);
    in.finish();
  }
  net.batch = top.integer("batch", 1, kMaxBatch, 1);
  net.per_channel = top.boolean("per_channel", false);
  if (const auto text = top.child("text", false)) {
    MapReader t(*text, diagnostics);
    net.text = TextCorpus{read_parameter_file(t, "test", true, "a text file"),
                          read_parameter_file(t, "calibration", true, "a text file")};
    t.finish();
  }
  std::vector<DeclaredLayer> declared;
  if (const auto layers = top.child("layers", true)) {
    if (!layers->is_sequence() || layers->size() == 0) {
      diagnostics.add(layers->location(), layers->path(),
                      "expected a non-empty list of layers, got " + config::describe(*layers));
    } else {
      if (layers->size() > kMaxLayers) {
        diagnostics.add(layers->location(), layers->path(),
                        "has " + std::to_string(layers->size()) + " layers; at most " +
                            std::to_string(kMaxLayers) + " are supported");
      }
      for (std::size_t i = 0; i < layers->size() && i < kMaxLayers; ++i) {
        declared.push_back(read_layer(layers->at(i), diagnostics));
      }
    }
  }
  top.finish();

  // Resolve references in order and infer shapes.
  std::map<std::string, Produced> produced{{kNetworkInput, Produced{net.input, true}}};
  std::map<std::string, config::Location> declared_at;
  std::vector<std::string> all_names;
  for (const auto& d : declared) all_names.push_back(d.layer.name);
  std::vector<std::string> known_names{kNetworkInput};
  std::string previous = kNetworkInput;
  for (auto& d : declared) {
    Layer& l = d.layer;
    l.batch = net.batch;
    bool usable = d.valid;
    if (l.name == kNetworkInput) {
      diagnostics.add(l.where, d.path + ".name", "'input' is reserved for the network input");
      usable = false;
    } else if (const auto it = declared_at.find(l.name); it != declared_at.end() && !l.name.empty()) {
      diagnostics.add(l.where, d.path + ".name",
                      "duplicate layer name '" + l.name + "' (first declared at " +
                          it->second.to_string() + ")");
      usable = false;
    }
    std::vector<Shape> operands;
    for (std::size_t i = 0; i < d.refs.size(); ++i) {
      const std::string ref = d.refs[i].empty() && i == 0 && (l.type != LayerType::Add || d.refs.size() == 1) ? previous : d.refs[i];
      l.inputs.push_back(ref);
      const auto it = produced.find(ref);
      if (it == produced.end()) {
        const bool later = std::find(all_names.begin(), all_names.end(), ref) != all_names.end();
        diagnostics.add(d.ref_locations[i], d.path,
                        "layer '" + l.name + "' uses '" + ref + "', " +
                            (later ? "which is declared after it; layers run in file order"
                                   : "which is not a layer of this network" +
                                         config::did_you_mean(ref, known_names)));
        usable = false;
      } else if (!it->second.known) {
        usable = false;
      } else {
        operands.push_back(it->second.shape);
      }
    }
    if (usable) {
      l.input = operands.at(0);
      if (operands.size() > 1) l.input_b = operands[1];
      if (l.kernel_h == -1) {  // global pooling
        l.kernel_h = static_cast<int>(l.input.h);
        l.kernel_w = static_cast<int>(l.input.w);
        l.stride_h = l.kernel_h;
        l.stride_w = l.kernel_w;
      }
      const std::string problem = infer_shape(l);
      if (!problem.empty()) {
        diagnostics.add(l.where, d.path, "layer '" + l.name + "' (input " + l.input.to_string() +
                                             "): " + problem);
        usable = false;
      }
    }
    if (!l.name.empty() && l.name != kNetworkInput && declared_at.count(l.name) == 0) {
      declared_at.emplace(l.name, l.where);
      produced[l.name] = Produced{l.output, usable};
      known_names.push_back(l.name);
    }
    previous = l.name;
  }
  diagnostics.throw_if_any();
  for (auto& d : declared) net.layers.push_back(std::move(d.layer));
  return net;
}

}  // namespace qarch::workload
