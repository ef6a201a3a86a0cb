#include "func/functional_run.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <exception>
#include <filesystem>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>

#include "config/diagnostic.hpp"
#include "config/input_file.hpp"
#include "func/embedding.hpp"
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
constexpr std::int64_t kByteTokens = 256;  // a text's tokens are its bytes
constexpr std::int64_t kMaxTextBytes = std::int64_t{1} << 28;

[[noreturn]] void fail(const config::Location& where, const std::string& key, const std::string& message) {
  throw config::InputError(config::Diagnostic{where, key, message});
}

// What functional mode feeds and scores: Fashion-MNIST images (pixels / 255, one label each) or
// windows of a text (byte token ids, the next byte the target at every position).
struct SampleSet {
  std::int64_t count = 0;
  std::int64_t input_elements = 0;
  std::int64_t positions = 1;          // targets per sample
  bool tokens = false;                 // inputs are token ids, else pixels
  std::vector<std::uint8_t> inputs;    // count x input_elements
  std::vector<std::int32_t> targets;   // count x positions

  void load(std::int64_t n, double* out) const {
    const std::uint8_t* b = inputs.data() + n * input_elements;
    for (std::int64_t j = 0; j < input_elements; ++j) out[j] = tokens ? b[j] : static_cast<double>(b[j]) / 255.0;
  }
  void load(std::int64_t n, float* out) const {
    const std::uint8_t* b = inputs.data() + n * input_elements;
    for (std::int64_t j = 0; j < input_elements; ++j) out[j] = tokens ? b[j] : static_cast<float>(b[j]) / 255.0f;
  }
};

// The first `limit` images of a split. `scored`: the labels must be classes (0..9); otherwise
// (calibration) the split must hold all `limit` images, since fewer would silently give other
// activation scales.
SampleSet image_samples(const std::string& dir, const std::string& split, std::int64_t limit, bool scored) {
  const workload::LabeledImages images = workload::read_mnist_split(dir, split, limit);
  if (images.rows != kImageRows || images.cols != kImageCols || images.count == 0) {
    fail(config::Location{dir, 0, 0}, "",
         "expected 28x28 images, the " + split + " split has " + std::to_string(images.count) + " images of " +
             std::to_string(images.rows) + "x" + std::to_string(images.cols));
  }
  if (!scored && images.count < limit) {
    fail(config::Location{dir, 0, 0}, "",
         "the " + split + " split has " + std::to_string(images.count) + " images; functional mode calibrates "
         "activation scales on its first " + std::to_string(limit) + " (docs/functional.md)");
  }
  for (std::size_t n = 0; scored && n < images.labels.size(); ++n) {
    if (images.labels[n] >= kClasses) {
      fail(config::Location{dir, 0, 0}, "",
           "label " + std::to_string(images.labels[n]) + " of image " + std::to_string(n) + " in the " + split +
               " split is not one of the " + std::to_string(kClasses) + " classes (0 to " +
               std::to_string(kClasses - 1) + ")");
    }
  }
  SampleSet s;
  s.count = images.count;
  s.input_elements = kImageRows * kImageCols;
  s.inputs = images.pixels;
  s.targets.assign(images.labels.begin(), images.labels.end());
  return s;
}

// The first `limit` windows of `tokens` bytes of a text: window n feeds bytes [n T, n T + T)
// and is scored on bytes [n T + 1, n T + T], so every byte after the first is a target once.
SampleSet text_samples(const std::string& file, std::int64_t tokens, std::int64_t limit) {
  config::check_input_file(file, "a text file");
  std::error_code ec;
  const auto size = std::filesystem::file_size(file, ec);
  if (!ec && size > static_cast<std::uintmax_t>(kMaxTextBytes)) {
    fail(config::Location{file, 0, 0}, "", "the text has " + std::to_string(size) + " bytes; at most " +
                                               std::to_string(kMaxTextBytes) + " are supported");
  }
  const std::string text = config::read_input_file(file, "a text file");
  const std::int64_t available = text.empty() ? 0 : (static_cast<std::int64_t>(text.size()) - 1) / tokens;
  if (available == 0) {
    fail(config::Location{file, 0, 0}, "",
         "the text has " + std::to_string(text.size()) + " bytes, fewer than one window of " +
             std::to_string(tokens) + " tokens and its next one");
  }
  SampleSet s;
  s.count = std::min(available, limit);
  s.input_elements = tokens;
  s.positions = tokens;
  s.tokens = true;
  s.inputs.resize(static_cast<std::size_t>(s.count * tokens));
  s.targets.resize(s.inputs.size());
  for (std::int64_t i = 0; i < s.count * tokens; ++i) {
    s.inputs[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(text[static_cast<std::size_t>(i)]);
    s.targets[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(text[static_cast<std::size_t>(i + 1)]);
  }
  return s;
}

// Never more threads than samples: each thread holds a copy of the compute layers.
int thread_count(const FunctionalOptions& options) {
  const int wanted = options.threads > 0 ? options.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  return static_cast<int>(std::min<std::int64_t>(wanted, std::max<std::int64_t>(1, options.limit)));
}

std::int64_t memory_limit(const FunctionalOptions& options) {
  if (options.max_memory_bytes > 0) return options.max_memory_bytes;
  const long pages = ::sysconf(_SC_PHYS_PAGES);
  const long page = ::sysconf(_SC_PAGE_SIZE);
  const double half = pages > 0 && page > 0 ? 0.5 * static_cast<double>(pages) * static_cast<double>(page) : 0;
  return std::max<std::int64_t>(std::int64_t{1} << 30, static_cast<std::int64_t>(std::min(half, 9e18)));
}

// Bytes functional mode allocates, from the shapes alone (doubles avoid integer overflow).
// Every thread has its own values and compute layers; every sample keeps its per-layer sums.
double memory_estimate(const workload::Network& net, const FunctionalOptions& options, int threads) {
  const double sample = static_cast<double>(net.input.elements());
  const double samples = static_cast<double>(options.limit) + static_cast<double>(options.calibration_images);
  double bytes = samples * (sample * 5 + 1 + 48 * static_cast<double>(net.layers.size()));
  double per_thread = 0, largest_gemm = 0;
  for (const Layer& l : net.layers) {
    const double out = static_cast<double>(l.output.elements());
    per_thread += out * (8 + 4 + 8);  // quantized and reference values, one sample (plus traces)
    if (l.type == LayerType::Embedding) bytes += static_cast<double>(l.vocab * l.out_features) * (4 + 8);
    if (!l.has_weights()) continue;
    const double w = static_cast<double>(l.weight_elements());
    const double gathers = static_cast<double>(l.gemm.groups) * static_cast<double>(l.gemm.m) *
                           static_cast<double>(l.gemm.k);
    bytes += w * 4;                                  // the float weights
    per_thread += w * (4 + 8) + gathers * (2 * 8 + 4);  // codes; gathers (both copies, the reference's in 32 bits)
    largest_gemm = std::max(largest_gemm, gathers / static_cast<double>(std::max<std::int64_t>(1, l.gemm.groups)) * 4 +
                                              static_cast<double>(l.input.elements()) * 4);
  }
  return bytes + static_cast<double>(threads) * (per_thread + largest_gemm);
}

// Images: a 1x28x28 input and one output per class. Text: a 1xTx1 input of byte token ids
// and one output per token id at every position.
void check_network(const workload::Network& net) {
  config::Diagnostics problems;
  const config::Location file{net.source_file, 0, 0};
  const workload::Layer* last = net.layers.empty() ? nullptr : &net.layers.back();
  if (net.text) {
    if (net.input.c != 1 || net.input.w != 1) {
      problems.add(file, "input",
                   "a language model reads one token id per position (channels 1, width 1); the network input is " +
                       net.input.to_string());
    } else if (last && last->output != workload::Shape{kByteTokens, net.input.h, 1}) {
      problems.add(file, "layers",
                   "a language model on a text needs a last layer with one output per byte value (256) at each of "
                   "the " + std::to_string(net.input.h) + " positions; it has " + last->output.to_string());
    }
  } else {
    if (net.input != workload::Shape{1, kImageRows, kImageCols}) {
      problems.add(file, "input",
                   "functional mode feeds 1x28x28 Fashion-MNIST images; the network input is " +
                       net.input.to_string());
    }
    if (!last || last->output.elements() != kClasses) {
      problems.add(file, "layers",
                   "functional mode needs a last layer with one output per class (10); it has " +
                       (last ? std::to_string(last->output.elements()) : std::string("no layers")));
    }
  }
  for (const Layer& l : net.layers) {
    if (l.type != LayerType::Embedding) continue;
    if (!net.text) {
      problems.add(l.where, "layers." + l.name,
                   "an embedding looks up token ids: functional mode needs the workload's `text` corpus");
    } else if (l.inputs.empty() || l.inputs[0] != "input") {
      problems.add(l.where, "layers." + l.name, "an embedding reads the token ids, the network input");
    } else if (l.vocab < kByteTokens) {
      problems.add(l.where, "layers." + l.name + ".vocab",
                   "the text's tokens are its bytes (256 ids); the table has " + std::to_string(l.vocab) + " rows");
    }
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
  void merge(const InputStatistics& o) {
    max_abs = std::max(max_abs, o.max_abs);
    sum_abs += o.sum_abs;
    count += o.count;
  }
  double mean_abs() const { return count > 0 ? sum_abs / count : 0; }
};

struct LayerSums {
  double signal = 0;  // sum ref^2
  double noise = 0;   // sum (ref - out)^2
};

// The scores of one sample's outputs at every position p (logit of class v at v x P + p): the
// argmax (lowest index on ties, NaN skipped) and, when `nll` (language models: perplexity), the
// negative log-likelihood of the target, log-softmax in double (NaN when a logit is NaN).
struct PositionScore {
  std::int32_t prediction = 0;
  double nll = 0;
};

template <typename T>
PositionScore score(const std::vector<T>& logits, std::int64_t positions, std::int64_t p, std::int32_t target,
                    bool nll) {
  const std::int64_t classes = static_cast<std::int64_t>(logits.size()) / positions;
  std::vector<double> column(static_cast<std::size_t>(classes));
  for (std::int64_t v = 0; v < classes; ++v) column[static_cast<std::size_t>(v)] = static_cast<double>(logits[static_cast<std::size_t>(v * positions + p)]);
  PositionScore s;
  s.prediction = argmax(column.data(), classes);
  if (!nll) return s;
  double top = -std::numeric_limits<double>::infinity();
  for (const double x : column) top = std::isnan(x) ? x : std::max(top, x);
  double sum = 0;
  for (const double x : column) sum += std::exp(x - top);
  s.nll = top + std::log(sum) - column[static_cast<std::size_t>(target)];
  return s;
}


// Runs body(worker, n) for n < count on `threads` threads (worker < threads; each sample once, in
// no fixed order), calling progress(done, count) from the calling thread at the start, about ten
// times a second and at the end. The first exception a body throws is rethrown here.
void parallel_for(std::int64_t count, int threads, const std::function<void(std::int64_t, std::int64_t)>* progress,
                  const std::function<void(int, std::int64_t)>& body) {
  std::atomic<std::int64_t> next{0}, done{0};
  std::atomic<bool> failed{false};
  std::exception_ptr error;
  std::mutex error_mutex;
  // Worker 0 runs on the calling thread and reports between its samples.
  const auto work = [&](int worker) {
    auto last = std::chrono::steady_clock::now();
    try {
      for (std::int64_t n; !failed && (n = next++) < count;) {
        body(worker, n);
        ++done;
        if (worker != 0 || progress == nullptr) continue;
        const auto now = std::chrono::steady_clock::now();
        if (now - last > std::chrono::milliseconds(100)) {
          (*progress)(done, count);
          last = now;
        }
      }
    } catch (...) {
      const std::lock_guard<std::mutex> lock(error_mutex);
      if (!error) error = std::current_exception();
      failed = true;
    }
  };
  if (progress != nullptr) (*progress)(0, count);
  const int extra = static_cast<int>(std::min<std::int64_t>(threads, count)) - 1;
  std::vector<std::thread> pool;
  for (int t = 1; t <= extra; ++t) pool.emplace_back(work, t);
  work(0);
  for (std::thread& t : pool) t.join();
  if (error) std::rethrow_exception(error);
  if (progress != nullptr) (*progress)(count, count);
}

// One thread's float32 reference and its values.
class ReferenceRunner {
 public:
  ReferenceRunner(const workload::Network& net, const std::vector<LayerParameters>& params,
                  const std::vector<GemmLayout>& layouts, const std::vector<Producers>& producers,
                  std::int64_t input_elements)
      : reference_(std::make_unique<ReferenceNetwork>(net, params, layouts, producers)),
        input_(static_cast<std::size_t>(input_elements)) {}

  void run(const SampleSet& samples, std::int64_t n) {
    samples.load(n, input_.data());
    reference_->run(input_, values_);
  }
  const std::vector<float>& values_of(int producer) const {
    return producer < 0 ? input_ : values_[static_cast<std::size_t>(producer)];
  }
  const std::vector<float>& output(std::size_t layer) const { return values_[layer]; }

 private:
  std::unique_ptr<ReferenceNetwork> reference_;  // keeps scratch: one per thread
  std::vector<float> input_;
  std::vector<std::vector<float>> values_;
};

// What the workers share, read-only.
struct Shared {
  const workload::Network& net;
  const std::vector<LayerParameters>& params;
  const std::vector<Producers>& producers;
  const std::vector<std::optional<EmbeddingTable>>& tables;
  const VectorFormat* sfu;
  const SampleSet& samples;
};

// What one sample contributes to the result, reduced in sample order.
struct SampleOutcome {
  std::vector<LayerSums> sums;  // per layer
  double nll = 0, reference_nll = 0;
  std::int64_t correct = 0, reference_correct = 0;
};

// One thread's copy of the network: its compute layers, float32 reference and values.
class Worker {
 public:
  Worker(const Shared& shared, const std::vector<GemmLayout>& layouts, std::vector<std::unique_ptr<ComputeLayer>> layers)
      : s_(shared),
        layers_(std::move(layers)),
        reference_(shared.net, shared.params, layouts, shared.producers, shared.samples.input_elements),
        counts_(shared.net.layers.size()),
        values_(shared.net.layers.size()),
        accs_(shared.net.layers.size()),
        input_(static_cast<std::size_t>(shared.samples.input_elements)) {}

  // Sample n: its outcome, its predictions (one per position) and optionally its trace.
  // `reference`: also run the float32 reference and compare.
  void run(std::int64_t n, bool reference, SampleOutcome& outcome, std::int32_t* predictions, ImageTrace* trace) {
    const workload::Network& net = s_.net;
    s_.samples.load(n, input_.data());
    if (reference) reference_.run(s_.samples, n);
    outcome.sums.assign(net.layers.size(), LayerSums{});
    for (std::size_t i = 0; i < net.layers.size(); ++i) {
      const Layer& l = net.layers[i];
      const Producers& p = s_.producers[i];
      const auto source = [&](int k) { return k < 0 ? input_.data() : values_[static_cast<std::size_t>(k)].data(); };
      std::vector<double>& out = values_[i];
      out.resize(static_cast<std::size_t>(l.output.elements()));
      const double* b = l.inputs.size() > 1 ? source(p.b) : nullptr;
      if (layers_[i]) {
        // Accumulators are kept only for a trace: writing them costs a pass over every output.
        double* accs = nullptr;
        if (trace != nullptr) {
          accs_[i].resize(out.size());
          accs = accs_[i].data();
        }
        if (!l.has_weights()) layers_[i]->set_second_operand(b, counts_[i]);
        layers_[i]->run(source(p.a), out.data(), accs, counts_[i]);
      } else if (s_.tables[i]) {
        s_.tables[i]->gather(source(p.a), out.data(), l.output.h);
      } else {
        run_vector_layer<double>(l, s_.params[i], source(p.a), b, out.data(), s_.sfu);
      }
      if (!reference) continue;
      const std::vector<float>& ref = reference_.output(i);
      LayerSums& sum = outcome.sums[i];
      for (std::size_t j = 0; j < ref.size(); ++j) {
        const double r = static_cast<double>(ref[j]);
        const double d = r - out[j];
        sum.signal += r * r;
        sum.noise += d * d;
      }
    }
    const std::int64_t positions = s_.samples.positions;
    for (std::int64_t p = 0; p < positions; ++p) {
      const std::int32_t target = s_.samples.targets[static_cast<std::size_t>(n * positions + p)];
      const PositionScore q = score(values_.back(), positions, p, target, s_.net.text.has_value());
      predictions[p] = q.prediction;
      outcome.correct += q.prediction == target;
      outcome.nll += q.nll;
      if (!reference) continue;
      const PositionScore r = score(reference_.output(net.layers.size() - 1), positions, p, target, s_.net.text.has_value());
      outcome.reference_correct += r.prediction == target;
      outcome.reference_nll += r.nll;
    }
    if (trace != nullptr) {
      trace->outputs = values_;
      trace->accumulators.resize(net.layers.size());
      for (std::size_t i = 0; i < net.layers.size(); ++i) {
        if (layers_[i]) trace->accumulators[i] = accs_[i];
      }
    }
  }

  const std::vector<ComputeCounts>& counts() const { return counts_; }
  const std::vector<std::unique_ptr<ComputeLayer>>& layers() const { return layers_; }

 private:
  const Shared& s_;
  std::vector<std::unique_ptr<ComputeLayer>> layers_;
  ReferenceRunner reference_;
  std::vector<ComputeCounts> counts_;
  std::vector<std::vector<double>> values_, accs_;
  std::vector<double> input_;
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
  if (options.reference_images < -1) {
    fail(nowhere, "", "--reference-images must be at least 0, got " + std::to_string(options.reference_images));
  }
  check_network(net);
  const int threads = thread_count(options);
  const double need = memory_estimate(net, options, threads);
  const std::int64_t limit_bytes = memory_limit(options);
  if (need > static_cast<double>(limit_bytes)) {
    fail(nowhere, "", "functional mode would need about " + std::to_string(static_cast<std::int64_t>(need / 1048576)) +
                          " MiB for this workload, more than the limit of " +
                          std::to_string(limit_bytes / 1048576) + " MiB");
  }
  const std::vector<LayerParameters> params = load_parameters(net);
  const std::string test_text = !net.text ? std::string()
                                : options.dataset_dir != kDefaultDatasetDir ? options.dataset_dir
                                                                            : net.text->test_file;
  const SampleSet test = net.text ? text_samples(test_text, net.input.h, options.limit)
                                  : image_samples(options.dataset_dir, "t10k", options.limit, true);

  const std::size_t layer_count = net.layers.size();
  const std::vector<Producers> producers = find_producers(net);
  std::vector<GemmLayout> layouts(layer_count);
  for (std::size_t i = 0; i < layer_count; ++i) {
    if (net.layers[i].macs() > 0) layouts[i] = gemm_layout(net.layers[i]);
  }

  // Calibration: max and mean |input| of every compute layer (and of the second operand of a
  // matmul of two activations) over the first training images (or calibration text windows),
  // through the float32 reference (only when some layer's format scales by them).
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
    const SampleSet train = net.text ? text_samples(net.text->calibration_file, net.input.h, options.calibration_images)
                                     : image_samples(options.dataset_dir, "train", options.calibration_images, false);
    // Per sample, then summed in sample order: the same statistics for any thread count.
    std::vector<std::vector<InputStatistics>> per_sample(static_cast<std::size_t>(train.count));
    std::vector<ReferenceRunner> runners;
    for (int t = 0; t < threads; ++t) runners.emplace_back(net, params, layouts, producers, train.input_elements);
    parallel_for(train.count, threads, nullptr, [&](int worker, std::int64_t n) {
      ReferenceRunner& r = runners[static_cast<std::size_t>(worker)];
      r.run(train, n);
      std::vector<InputStatistics>& stats = per_sample[static_cast<std::size_t>(n)];
      stats.resize(2 * layer_count);
      for (std::size_t i = 0; i < layer_count; ++i) {
        if (net.layers[i].macs() == 0) continue;
        stats[i].add(r.values_of(producers[i].a));
        if (!net.layers[i].has_weights()) stats[layer_count + i].add(r.values_of(producers[i].b));
      }
    });
    for (const auto& stats : per_sample) {
      for (std::size_t i = 0; i < layer_count; ++i) {
        act[i].merge(stats[i]);
        act_b[i].merge(stats[layer_count + i]);
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

  // Prepare the embedding tables (shared) and every worker's compute layers: they keep one
  // sample's scratch and, for attention, its second operand.
  std::vector<std::optional<EmbeddingTable>> tables(layer_count);
  std::vector<std::vector<std::unique_ptr<ComputeLayer>>> worker_layers(static_cast<std::size_t>(threads));
  config::Diagnostics problems;
  for (std::size_t i = 0; i < layer_count; ++i) {
    const Layer& l = net.layers[i];
    try {
      if (l.type == LayerType::Embedding) tables[i].emplace(arch, l, params[i]);
      for (auto& layers : worker_layers) {
        layers.resize(layer_count);
        if (l.macs() == 0) continue;
        layers[i] = make_compute_layer(arch, l, mappings[i], params[i], options.per_channel, act[i].max_abs,
                                       act[i].mean_abs(), act_b[i].max_abs, act_b[i].mean_abs());
      }
    } catch (const numerics::FormatError& e) {
      problems.add(l.where, "layers." + l.name, e.what());
    }
  }
  problems.throw_if_any();

  FunctionalResult result;
  result.images = test.count;
  result.positions = test.count * test.positions;
  result.layers.resize(layer_count);
  result.predictions.resize(static_cast<std::size_t>(result.positions));
  result.traces.resize(static_cast<std::size_t>(std::min(options.trace_images, test.count)));
  const Shared shared{net, params, producers, tables, &*sfu, test};
  std::vector<Worker> workers;
  for (auto& layers : worker_layers) workers.emplace_back(shared, layouts, std::move(layers));
  std::vector<SampleOutcome> outcomes(static_cast<std::size_t>(test.count));
  const std::int64_t reference_images =
      options.reference_images < 0 ? test.count : std::min(options.reference_images, test.count);
  parallel_for(test.count, threads, options.progress ? &options.progress : nullptr, [&](int worker, std::int64_t n) {
    workers[static_cast<std::size_t>(worker)].run(
        n, n < reference_images, outcomes[static_cast<std::size_t>(n)], result.predictions.data() + n * test.positions,
        n < options.trace_images ? &result.traces[static_cast<std::size_t>(n)] : nullptr);
  });

  // Reduced in sample order (integer counts in any).
  std::vector<LayerSums> sums(layer_count);
  std::int64_t reference_correct = 0;
  double nll = 0, reference_nll = 0;
  for (const SampleOutcome& o : outcomes) {
    for (std::size_t i = 0; i < layer_count; ++i) {
      sums[i].signal += o.sums[i].signal;
      sums[i].noise += o.sums[i].noise;
    }
    result.correct += o.correct;
    reference_correct += o.reference_correct;
    nll += o.nll;
    reference_nll += o.reference_nll;
  }
  std::vector<ComputeCounts> counts(layer_count);
  for (const Worker& w : workers) {
    for (std::size_t i = 0; i < layer_count; ++i) counts[i] += w.counts()[i];
  }
  const std::vector<std::unique_ptr<ComputeLayer>>& qlayers = workers.front().layers();
  const double reference_positions = static_cast<double>(reference_images * test.positions);
  if (net.text) {
    result.perplexity = std::exp(nll / static_cast<double>(result.positions));
    result.reference_perplexity = std::exp(reference_nll / reference_positions);
  }
  result.top1 = static_cast<double>(result.correct) / static_cast<double>(result.positions);
  result.reference_top1 = static_cast<double>(reference_correct) / reference_positions;
  result.reference_images = reference_images;

  for (std::size_t i = 0; i < layer_count; ++i) {
    const Layer& l = net.layers[i];
    LayerValueStats& s = result.layers[i];
    s.name = l.name;
    s.sqnr_db = sums[i].noise > 0 ? 10 * std::log10(sums[i].signal / sums[i].noise)
                : sums[i].signal > 0 ? std::numeric_limits<double>::infinity()
                                     : std::numeric_limits<double>::quiet_NaN();
    if (tables[i]) {  // the table's quantization
      s.saturated_weights = s.saturated_values = tables[i]->saturated();
      s.weight_format = arch::resolve_formats(arch, l).weight.to_string();
      s.weight_scale = tables[i]->scale();
    }
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
