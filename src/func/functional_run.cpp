#include "func/functional_run.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include "config/diagnostic.hpp"
#include "func/layer_ops.hpp"
#include "func/parameters.hpp"
#include "func/ptq.hpp"
#include "func/compute_layer.hpp"
#include "func/reference.hpp"
#include "func/vector_format.hpp"
#include "workload/idx_reader.hpp"

namespace qarch::func {

namespace {

using workload::Layer;
using workload::LayerType;

constexpr std::int64_t kImageRows = 28;
constexpr std::int64_t kImageCols = 28;
constexpr std::int64_t kClasses = 10;

[[noreturn]] void fail(const config::Location& where, const std::string& key, const std::string& message) {
  throw config::InputError(config::Diagnostic{where, key, message});
}

std::int64_t memory_limit(const FunctionalOptions& options) {
  if (options.max_memory_bytes > 0) return options.max_memory_bytes;
  const long pages = ::sysconf(_SC_PHYS_PAGES);
  const long page = ::sysconf(_SC_PAGE_SIZE);
  const double half = pages > 0 && page > 0 ? 0.5 * static_cast<double>(pages) * static_cast<double>(page) : 0;
  return std::max<std::int64_t>(std::int64_t{1} << 30, static_cast<std::int64_t>(std::min(half, 9e18)));
}

// Bytes functional mode allocates, from the shapes alone (doubles avoid integer overflow).
double memory_estimate(const workload::Network& net, const FunctionalOptions& options) {
  const double image = static_cast<double>(kImageRows * kImageCols);
  double bytes = (static_cast<double>(options.limit) + static_cast<double>(options.calibration_images)) * (image + 1);
  double largest_gemm = 0;
  for (const Layer& l : net.layers) {
    const double out = static_cast<double>(l.output.elements());
    bytes += out * (8 + 4 + 8);  // quantized and reference values, one sample (plus traces)
    if (!l.has_weights()) continue;
    const double w = static_cast<double>(l.weight_elements());
    const double gathers = static_cast<double>(l.gemm.groups) * static_cast<double>(l.gemm.m) *
                           static_cast<double>(l.gemm.k);
    bytes += w * (4 + 4 + 8) + 2 * gathers * 8;  // float weights, codes; gathers (both copies)
    largest_gemm = std::max(largest_gemm, gathers / static_cast<double>(std::max<std::int64_t>(1, l.gemm.groups)) * 4 +
                                              static_cast<double>(l.input.elements()) * 4);
  }
  return bytes + largest_gemm;
}

void check_network(const workload::Network& net) {
  config::Diagnostics problems;
  const config::Location file{net.source_file, 0, 0};
  if (net.input != workload::Shape{1, kImageRows, kImageCols}) {
    problems.add(file, "input",
                 "functional mode feeds 1x28x28 Fashion-MNIST images; the network input is " +
                     net.input.to_string());
  }
  if (net.layers.empty() || net.layers.back().output.elements() != kClasses) {
    problems.add(file, "layers",
                 "functional mode needs a last layer with one output per class (10); it has " +
                     (net.layers.empty() ? std::string("no layers")
                                         : std::to_string(net.layers.back().output.elements())));
  }
  for (const Layer& l : net.layers) {
    std::string why;
    if (!vector_layer_supported(l, why)) problems.add(l.where, "layers." + l.name, why);
  }
  problems.throw_if_any();
}

std::int32_t argmax(const double* v, std::int64_t n) {
  std::int32_t best = 0;
  double top = -std::numeric_limits<double>::infinity();
  bool any = false;
  for (std::int64_t i = 0; i < n; ++i) {
    if (std::isnan(v[i])) continue;
    if (!any || v[i] > top) {
      top = v[i];
      best = static_cast<std::int32_t>(i);
      any = true;
    }
  }
  return best;
}

// |x| statistics of a layer's operand over the calibration images.
struct InputStatistics {
  double max_abs = 0, sum_abs = 0, count = 0;
  void add(const std::vector<float>& values) {
    for (const float v : values) {
      const double a = std::fabs(static_cast<double>(v));
      max_abs = std::max(max_abs, a);
      sum_abs += a;
    }
    count += static_cast<double>(values.size());
  }
  double mean_abs() const { return count > 0 ? sum_abs / count : 0; }
};

struct LayerSums {
  double signal = 0;  // sum ref^2
  double noise = 0;   // sum (ref - out)^2
};

}  // namespace

FunctionalResult run_functional(const arch::ArchSpec& arch, const workload::Network& net,
                                const FunctionalOptions& options) {
  return run_functional(arch, net, mapping::map_network(arch, net, mapping::MapperOptions::scalesim_nest_only()),
                        options);
}

FunctionalResult run_functional(const arch::ArchSpec& arch, const workload::Network& net,
                                const std::vector<mapping::Mapping>& mappings,
                                const FunctionalOptions& options) {
  if (mappings.size() != net.layers.size()) {
    throw std::logic_error("run_functional: " + std::to_string(mappings.size()) + " mappings for " +
                           std::to_string(net.layers.size()) + " layers");
  }
  const config::Location nowhere{net.source_file, 0, 0};
  if (options.limit < 1) fail(nowhere, "", "--limit must be at least 1, got " + std::to_string(options.limit));
  check_network(net);
  const double need = memory_estimate(net, options);
  const std::int64_t limit_bytes = memory_limit(options);
  if (need > static_cast<double>(limit_bytes)) {
    fail(nowhere, "", "functional mode would need about " + std::to_string(static_cast<std::int64_t>(need / 1048576)) +
                          " MiB for this workload, more than the limit of " +
                          std::to_string(limit_bytes / 1048576) + " MiB");
  }
  const std::vector<LayerParameters> params = load_parameters(net);
  const workload::LabeledImages test = workload::read_mnist_split(options.dataset_dir, "t10k", options.limit);
  if (test.rows != kImageRows || test.cols != kImageCols || test.count == 0) {
    fail(config::Location{options.dataset_dir, 0, 0}, "",
         "expected 28x28 images, the test split has " + std::to_string(test.count) + " images of " +
             std::to_string(test.rows) + "x" + std::to_string(test.cols));
  }

  const std::size_t layer_count = net.layers.size();
  const std::vector<Producers> producers = find_producers(net);
  std::vector<GemmLayout> layouts(layer_count);
  for (std::size_t i = 0; i < layer_count; ++i) {
    if (net.layers[i].macs() > 0) layouts[i] = gemm_layout(net.layers[i]);
  }
  const ReferenceNetwork reference(net, params, layouts, producers);
  std::vector<std::vector<float>> ref_values;
  std::vector<float> ref_input(static_cast<std::size_t>(kImageRows * kImageCols));
  const auto load_float = [&](const std::uint8_t* pixels) {
    for (std::size_t j = 0; j < ref_input.size(); ++j) ref_input[j] = static_cast<float>(pixels[j]) / 255.0f;
  };

  // Calibration: max and mean |input| of every compute layer (and of the second operand of a
  // matmul of two activations) over the first training images, through the float32 reference
  // (only when some layer's format scales by them).
  std::vector<InputStatistics> act(layer_count), act_b(layer_count);
  bool calibrate = false;
  for (std::size_t i = 0; i < layer_count; ++i) {
    const Layer& l = net.layers[i];
    if (l.macs() == 0) continue;
    const arch::LayerFormats f = arch::resolve_formats(arch, l);
    calibrate = calibrate || (!l.quantization.activation_scale && scale_rule(f.activation) != ScaleRule::Unit) ||
                (!l.has_weights() && !l.quantization.weight_scale && scale_rule(f.weight) != ScaleRule::Unit);
  }
  if (calibrate && options.calibration_images > 0) {
    const workload::LabeledImages train =
        workload::read_mnist_split(options.dataset_dir, "train", options.calibration_images);
    for (std::int64_t n = 0; n < train.count; ++n) {
      load_float(train.image(n));
      reference.run(ref_input, ref_values);
      const auto values_of = [&](int p) -> const std::vector<float>& {
        return p < 0 ? ref_input : ref_values[static_cast<std::size_t>(p)];
      };
      for (std::size_t i = 0; i < layer_count; ++i) {
        if (net.layers[i].macs() == 0) continue;
        act[i].add(values_of(producers[i].a));
        if (!net.layers[i].has_weights()) act_b[i].add(values_of(producers[i].b));
      }
    }
  }
  const numerics::Format& sfu_format = arch.pe_array.special_function_format;
  std::optional<VectorFormat> sfu;
  try {
    sfu.emplace(sfu_format);
  } catch (const numerics::FormatError& e) {
    fail(config::Location{arch.source_file, 0, 0}, "pe_array.special_function_format", e.what());
  }

  // Prepare the compute layers.
  std::vector<std::unique_ptr<ComputeLayer>> qlayers(layer_count);
  config::Diagnostics problems;
  for (std::size_t i = 0; i < layer_count; ++i) {
    const Layer& l = net.layers[i];
    if (l.macs() == 0) continue;
    try {
      qlayers[i] = make_compute_layer(arch, l, mappings[i], params[i], options.per_channel, act[i].max_abs,
                                      act[i].mean_abs(), act_b[i].max_abs, act_b[i].mean_abs());
    } catch (const numerics::FormatError& e) {
      problems.add(l.where, "layers." + l.name, e.what());
    }
  }
  problems.throw_if_any();

  FunctionalResult result;
  result.images = test.count;
  result.layers.resize(layer_count);
  std::vector<ComputeCounts> counts(layer_count);
  std::vector<LayerSums> sums(layer_count);
  std::vector<std::vector<double>> values(layer_count);
  std::vector<std::vector<double>> accs(layer_count);
  std::vector<double> input(static_cast<std::size_t>(kImageRows * kImageCols));
  std::int64_t reference_correct = 0;
  for (std::int64_t n = 0; n < test.count; ++n) {
    const std::uint8_t* pixels = test.image(n);
    for (std::size_t j = 0; j < input.size(); ++j) input[j] = static_cast<double>(pixels[j]) / 255.0;
    load_float(pixels);
    reference.run(ref_input, ref_values);
    for (std::size_t i = 0; i < layer_count; ++i) {
      const Layer& l = net.layers[i];
      const auto source = [&](int p) { return p < 0 ? input.data() : values[static_cast<std::size_t>(p)].data(); };
      values[i].resize(static_cast<std::size_t>(l.output.elements()));
      const double* b = l.inputs.size() > 1 ? source(producers[i].b) : nullptr;
      if (qlayers[i]) {
        accs[i].resize(values[i].size());
        if (!l.has_weights()) qlayers[i]->set_second_operand(b, counts[i]);
        qlayers[i]->run(source(producers[i].a), values[i].data(), accs[i].data(), counts[i]);
      } else {
        run_vector_layer<double>(l, params[i], source(producers[i].a), b, values[i].data(), &*sfu);
      }
      const std::vector<float>& ref = ref_values[i];
      for (std::size_t j = 0; j < ref.size(); ++j) {
        const double r = static_cast<double>(ref[j]);
        const double d = r - values[i][j];
        sums[i].signal += r * r;
        sums[i].noise += d * d;
      }
    }
    const std::vector<double>& logits = values.back();
    const std::int32_t prediction = argmax(logits.data(), static_cast<std::int64_t>(logits.size()));
    result.predictions.push_back(prediction);
    if (prediction == test.labels[static_cast<std::size_t>(n)]) ++result.correct;
    std::vector<double> ref_logits(ref_values.back().begin(), ref_values.back().end());
    if (argmax(ref_logits.data(), static_cast<std::int64_t>(ref_logits.size())) == test.labels[static_cast<std::size_t>(n)]) {
      ++reference_correct;
    }
    if (n < options.trace_images) {
      ImageTrace t;
      t.outputs = values;
      t.accumulators.resize(layer_count);
      for (std::size_t i = 0; i < layer_count; ++i) {
        if (qlayers[i]) t.accumulators[i] = accs[i];
      }
      result.traces.push_back(std::move(t));
    }
  }
  result.top1 = static_cast<double>(result.correct) / static_cast<double>(result.images);
  result.reference_top1 = static_cast<double>(reference_correct) / static_cast<double>(result.images);

  for (std::size_t i = 0; i < layer_count; ++i) {
    const Layer& l = net.layers[i];
    LayerValueStats& s = result.layers[i];
    s.name = l.name;
    s.sqnr_db = sums[i].noise > 0 ? 10 * std::log10(sums[i].signal / sums[i].noise)
                : sums[i].signal > 0 ? std::numeric_limits<double>::infinity()
                                     : std::numeric_limits<double>::quiet_NaN();
    if (!qlayers[i]) continue;
    const ComputeLayer& q = *qlayers[i];
    const ComputeCounts& c = counts[i];
    s.macs = l.gemm.groups * l.gemm.k * l.gemm.n * (l.gemm.m / std::max<std::int64_t>(1, l.batch)) * result.images;
    s.zero_weight_operands = c.zero_weight_operands;
    s.zero_activation_operands = c.zero_activation_operands;
    s.zero_operand_macs = c.zero_operand_macs;
    s.zero_gated_macs = arch.pe_array.zero_gating ? c.zero_operand_macs : 0;
    s.saturated_weights = q.saturated_weights();
    s.saturated_biases = q.saturated_biases();
    s.saturated_activations = c.saturated_activations;
    s.saturated_values = s.saturated_weights + s.saturated_biases + s.saturated_activations;
    s.overflowed_accumulations = static_cast<std::int64_t>(c.overflowed_accumulations);
    s.weight_format = q.formats().weight.to_string();
    s.activation_format = q.formats().activation.to_string();
    s.accumulator_format = q.formats().accumulator.to_string();
    s.multiplier = q.formats().multiplier.to_string();
    s.weight_scale = q.weight_scale();
    s.activation_scale = q.activation_scale();
    s.accumulation_order = q.accumulation_order();
  }
  return result;
}

}  // namespace qarch::func
