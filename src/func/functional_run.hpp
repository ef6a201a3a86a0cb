#pragma once
// Functional mode: a network's real outputs on real images, computed with the bit-exact
// arithmetic of the configured formats and multiplier style, in the accumulation order of the
// layer's mapping on the array (docs/functional.md). Gives top-1 accuracy and, per layer, the
// value statistics the cost model and reports use (zero operands, saturation, overflow, SQNR).
//
// Deterministic: samples run on several threads, but every sum over samples is reduced in sample
// order, so results are byte-identical for every thread count; no dependence on the host beyond
// IEEE arithmetic.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "arch/arch_spec.hpp"
#include "mapping/mapping.hpp"
#include "workload/network.hpp"

namespace qarch::func {

inline constexpr const char* kDefaultDatasetDir = "/usr/share/datasets/fashion-mnist";

struct FunctionalOptions {
  // An MNIST-style directory: t10k-{images-idx3,labels-idx1}-ubyte[.gz] are evaluated,
  // train-images-idx3-ubyte[.gz] calibrates activation scales. A language model (a network
  // with a `text` corpus) reads its corpus' files instead; a dataset other than the default
  // replaces its test text.
  std::string dataset_dir = kDefaultDatasetDir;
  std::int64_t limit = 10000;        // test images (or text windows) evaluated, the first `limit`; >= 1
  std::int64_t calibration_images = 1000;  // first training images (windows) for activation scales
  // The float32 reference (SQNR, reference top-1 and perplexity) runs on the first this many
  // of the evaluated samples; -1: all of them. It costs about as much as the quantized run of
  // an int8 network, so fewer speed up a long run.
  std::int64_t reference_images = -1;
  bool per_channel = false;          // one weight scale per output channel (integer formats)
  // Upper bound on the memory functional mode may use; checked from shapes before allocating.
  // 0: half the physical memory (at least 1 GiB).
  std::int64_t max_memory_bytes = 0;
  // Test hook: keep the per-layer values of the first `trace_images` images (ImageTrace).
  std::int64_t trace_images = 0;
  int threads = 0;  // samples run on this many threads; 0: one per core
  // Called from the calling thread when the evaluation starts, about ten times a second and at
  // the end: samples done, of all.
  std::function<void(std::int64_t done, std::int64_t total)> progress;
};

// Per layer, summed over all evaluated images unless said otherwise. MAC counts are the
// layer's `macs()` per image times the images; "operand" counts are MACs whose operand decodes
// to zero (padding included, as the array feeds it).
struct LayerValueStats {
  std::string name;
  std::int64_t macs = 0;
  std::int64_t zero_weight_operands = 0;      // MACs whose weight is zero
  std::int64_t zero_activation_operands = 0;  // MACs whose activation is zero
  std::int64_t zero_operand_macs = 0;         // MACs with either operand zero
  std::int64_t zero_gated_macs = 0;           // = zero_operand_macs if pe_array.zero_gating, else 0
  std::int64_t saturated_weights = 0;         // weights that saturated when quantized (once)
  std::int64_t saturated_biases = 0;          // biases that saturated (once)
  std::int64_t saturated_activations = 0;     // layer inputs that saturated, all images
  std::int64_t saturated_values = 0;          // the sum of the three
  std::int64_t overflowed_accumulations = 0;  // accumulator adds that overflowed, all images
  // 10 log10(sum ref^2 / sum (ref - out)^2) of the layer's output against a float32 execution
  // of the same network on the same images (the first reference_images); +inf when identical;
  // NaN when both are all zero or no image ran the reference.
  double sqnr_db = 0;
  // The quantization used (compute layers): formats, style, scales (the first channel's weight
  // scale when per-channel), and the accumulation order's name ("sequential", "row_folds(32)",
  // "row_stationary(5)" or "exact" when the sum cannot depend on the order).
  std::string weight_format, activation_format, accumulator_format, multiplier;
  double weight_scale = 0, activation_scale = 0;
  std::string accumulation_order;
};

// Values of one image, for tests: per layer, the accumulator values (compute layers; in the
// accumulator's units, i.e. before the scales, bias included) and the layer output.
struct ImageTrace {
  std::vector<std::vector<double>> accumulators;  // parallel to network.layers
  std::vector<std::vector<double>> outputs;
};

// A language model is scored at every position of every window: its argmax against the next
// byte (top-1) and exp of the mean negative log-likelihood of the next byte (perplexity).
struct FunctionalResult {
  double top1 = 0;                 // fraction of predictions equal to the target, in [0, 1]
  std::int64_t images = 0;         // samples: images or text windows
  std::int64_t positions = 0;      // predictions scored: one per image, one per token of a window
  std::int64_t correct = 0;
  double reference_top1 = 0;       // the float32 execution's top-1 on the first reference_images samples
  std::int64_t reference_images = 0;  // samples the float32 reference ran on (SQNR and reference_*)
  std::optional<double> perplexity;            // language models only
  std::optional<double> reference_perplexity;  // the float32 execution's
  std::vector<LayerValueStats> layers;  // parallel to network.layers
  std::vector<std::int32_t> predictions;  // per position, the argmax (lowest index on ties)
  std::vector<ImageTrace> traces;  // the first options.trace_images images
};

// Runs `network` on the first options.limit test images (text windows). Throws
// config::InputError for user errors: missing or ill-shaped weights (naming the file and the
// expected shape), missing dataset or text, a network input other than the dataset's 1 x rows x
// cols (1 x tokens x 1), an output other than one value per class (per byte value and
// position), an embedding without token ids, or a memory estimate above the limit; numerics::FormatError never escapes (it becomes an InputError naming the layer).
// `mappings` (one per layer, mapping::map_network) are the layers' mappings on the array, which
// give each compute layer its accumulation order.
FunctionalResult run_functional(const arch::ArchSpec& arch, const workload::Network& network,
                                const std::vector<mapping::Mapping>& mappings,
                                const FunctionalOptions& options);

// Maps every layer with SCALE-Sim's loop nest (the accumulation order does not depend on the
// nest), then the above; for tests and benchmarks of functional mode alone.
FunctionalResult run_functional(const arch::ArchSpec& arch, const workload::Network& network,
                                const FunctionalOptions& options);

}  // namespace qarch::func
