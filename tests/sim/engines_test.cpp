// The fast engine against the clocked per-PE reference engine, and both against the closed
// form, over hundreds of random small layers and design points (fixed seeds).

#include <gtest/gtest.h>

#include <cstdio>
#include <optional>
#include <random>

#include "arch/enum_names.hpp"
#include "mapping/mapping.hpp"
#include "mapping/systolic_dataflow.hpp"
#include "sim_helpers.hpp"

namespace qarch::sim {
namespace {

struct Coverage {
  int tiled = 0, reordered = 0;  // layers whose chosen nest tiles the stream / is not SCALE-Sim's
  int array_layers = 0;          // layers with MACs (not on the vector unit)
};

// `points` random design points, each running a random network of `layers` layers in both
// engines side by side (one elaboration). `small_output_buffer`: 1/8 to 1/2 KiB, so partial sums
// rarely fit and the mapper tiles the stream or reorders the loops.
void compare_engines(std::uint64_t seed, int points, int layers, bool ideal, bool any_dataflow,
                     bool small_output_buffer = false, Coverage* coverage_out = nullptr,
                     std::optional<arch::Dataflow> only = std::nullopt, bool block_formats = false,
                     std::optional<arch::PrecisionScaling> scaling = std::nullopt) {
  std::mt19937_64 rng(seed);
  std::vector<Job> jobs;
  int next = 0;
  for (int p = 0; p < points; ++p) {
    arch::ArchSpec a = testing::random_arch(rng, ideal, any_dataflow);
    if (only) a.pe_array.dataflow = *only;
    if (block_formats) {  // block-scaled operands: their scales are stored, moved and read too
      static const char* kBlocks[] = {"mxfp4_e2m1_b%d", "mxfp8_e4m3_b%d", "mxint8_b%d", "int4_g%d", "int8_g%d_fp16"};
      const int block = 1 << testing::uniform(rng, 0, 3);
      a.pe_array.rows = block * static_cast<int>(testing::uniform(rng, 1, 2));
      if (a.pe_array.dataflow == arch::Dataflow::RowStationary) a.pe_array.dataflow = arch::Dataflow::OutputStationary;
      char name[32];
      std::snprintf(name, sizeof name, kBlocks[testing::uniform(rng, 0, 4)], block);
      a.pe_array.weight_format = numerics::Format::parse(name);
      std::snprintf(name, sizeof name, kBlocks[testing::uniform(rng, 0, 2)], block);
      a.pe_array.activation_format = numerics::Format::parse(name);
      a.pe_array.accumulator_format = numerics::Format::parse("fp32");
      a.pe_array.multiplier = numerics::MultiplierStyle::parse("block_dot");
      if (const auto why = arch::check_block_layout(a.pe_array, a.pe_array.weight_format, a.pe_array.activation_format))
        FAIL() << *why;
    }
    if (scaling) {  // int8 PEs; each layer at its own width: lanes and clocks per step vary
      a.pe_array.precision_scaling = *scaling;
      a.pe_array.serial_operand = static_cast<arch::SerialOperand>(testing::uniform(rng, 0, 2));
      a.pe_array.weight_format = a.pe_array.activation_format = numerics::Format::parse("int8");
      a.pe_array.accumulator_format = numerics::Format::parse("int32");
      a.pe_array.cols = std::max(1, a.pe_array.cols / 2);  // up to 16 lanes each
    }
    if (small_output_buffer) a.output_buffer.size_kib = static_cast<double>(testing::uniform(rng, 1, 4)) / 8.0;
    std::vector<workload::Layer> ls;
    for (int l = 0; l < layers; ++l) {
      if (small_output_buffer && l % 4 != 3) {  // mostly convs with longer streams
        const int r = static_cast<int>(testing::uniform(rng, 1, 3));
        ls.push_back(testing::conv_layer("C" + std::to_string(next++), testing::uniform(rng, 6, 18),
                                         testing::uniform(rng, 6, 18), r, r, testing::uniform(rng, 1, 16),
                                         testing::uniform(rng, 1, 24), 1));
      } else {
        ls.push_back(testing::random_layer(rng, next++));
      }
      if (scaling) {
        static const char* kWidths[] = {"int2", "int4", "int8", "uint1"};
        ls.back().quantization.weight_format = numerics::Format::parse(kWidths[testing::uniform(rng, 0, 3)]);
        ls.back().quantization.activation_format = numerics::Format::parse(kWidths[testing::uniform(rng, 0, 2)]);
      }
    }
    const workload::Network net = testing::network_of(ls);
    jobs.push_back(Job{a, net, Engine::Fast});
    jobs.push_back(Job{a, net, Engine::Reference});
  }
  const auto results = simulate_jobs(jobs);
  std::int64_t stalls = 0, sram_stalls = 0, layers_checked = 0;
  Coverage coverage;
  for (std::size_t j = 0; j < jobs.size(); j += 2) {
    const auto& fast = results[j];
    const auto& ref = results[j + 1];
    ASSERT_EQ(fast.size(), jobs[j].mappings.size());
    ASSERT_EQ(ref.size(), fast.size());
    for (std::size_t l = 0; l < fast.size(); ++l) {
      const mapping::Mapping& mp = jobs[j].mappings[l];  // what both engines ran
      SCOPED_TRACE("point " + std::to_string(j / 2) + "\n" + mapping::describe(mp));
      testing::expect_same_stats(fast[l], ref[l]);
      // Closed form: compute cycles, MACs, buffer traffic, DRAM bytes.
      EXPECT_EQ(fast[l].compute_cycles, mp.compute_cycles);
      EXPECT_EQ(fast[l].macs, mp.macs);
      EXPECT_EQ(ref[l].input_reads_elements, mp.accesses.input_reads);
      EXPECT_EQ(ref[l].weight_reads_elements, mp.accesses.weight_reads);
      EXPECT_EQ(ref[l].output_writes_elements, mp.accesses.output_writes);
      EXPECT_EQ(ref[l].psum_reads_elements, mp.accesses.psum_reads);
      EXPECT_EQ(fast[l].dram_read_bytes, mp.dram_read_bytes);
      EXPECT_EQ(fast[l].dram_write_bytes, mp.dram_write_bytes);
      EXPECT_EQ(fast[l].total_cycles, fast[l].compute_cycles + fast[l].stall_cycles);
      EXPECT_GE(fast[l].stall_cycles, 0);
      if (ideal) {
        EXPECT_EQ(fast[l].stall_cycles, 0);
      }
      EXPECT_LE(fast[l].sram_stall_cycles, fast[l].stall_cycles);
      stalls += fast[l].stall_cycles > 0 ? 1 : 0;
      sram_stalls += fast[l].sram_stall_cycles > 0 ? 1 : 0;
      coverage.array_layers += mp.vector ? 0 : 1;
      if (const auto* plan = dynamic_cast<const mapping::SystolicPlan*>(mp.plan.get())) {
        coverage.tiled += plan->nest.tiles > 1 ? 1 : 0;
        coverage.reordered += plan->nest == mapping::scalesim_nest(plan->shape.t) ? 0 : 1;
      }
      ++layers_checked;
    }
  }
  EXPECT_EQ(layers_checked, points * layers);
  if (!ideal) {
    EXPECT_GT(sram_stalls, layers_checked / 10);  // the buffers' ports bound some layers
  }
  if (!ideal) {
    EXPECT_GT(stalls, layers_checked / 4);  // the DRAM paths are exercised
  }
  if (coverage_out != nullptr) *coverage_out = coverage;
}

TEST(Engines, AgreeOnRandomLayersWithIdealMemory) { compare_engines(1, 40, 5, true, true); }

TEST(Engines, AgreeOnRandomLayersWithDram) { compare_engines(2, 40, 5, false, true); }

TEST(Engines, AgreeWithBlockScaledOperands) {
  compare_engines(3, 30, 5, false, true, false, nullptr, std::nullopt, /*block_formats=*/true);
}

// Every registered dataflow on its own, so that none is covered by chance only: each
// dataflow's per-cycle stepper against its closed form, layer by layer, with DRAM. One
// simulation per process (SystemC), so one test per dataflow.
class EveryDataflow : public ::testing::TestWithParam<arch::Dataflow> {};

TEST_P(EveryDataflow, EnginesAgreeOnRandomLayers) {
  Coverage c;
  compare_engines(10 + static_cast<std::uint64_t>(GetParam()), 24, 5, false, true, false, &c, GetParam());
  EXPECT_GE(c.array_layers, 80);  // of 120: the vector unit runs the rest
}

std::vector<arch::Dataflow> all_dataflows() {
  std::vector<arch::Dataflow> all;
  for (const auto& entry : arch::kDataflowNames) all.push_back(entry.first);
  return all;
}

INSTANTIATE_TEST_SUITE_P(Engines, EveryDataflow, ::testing::ValuesIn(all_dataflows()),
                         [](const ::testing::TestParamInfo<arch::Dataflow>& p) {
                           return std::string(arch::to_string(p.param));
                         });

// Precision-scalable PEs: lanes widen the array's virtual columns (skewed by their physical
// column), clocks per step hold each step of the stepper.
class EveryPrecisionScaling : public ::testing::TestWithParam<arch::PrecisionScaling> {};

TEST_P(EveryPrecisionScaling, EnginesAgreeOnRandomLayers) {
  compare_engines(20 + static_cast<std::uint64_t>(GetParam()), 16, 5, false, true, false, nullptr, std::nullopt,
                  false, GetParam());
}

INSTANTIATE_TEST_SUITE_P(Engines, EveryPrecisionScaling,
                         ::testing::Values(arch::PrecisionScaling::BitSerial, arch::PrecisionScaling::Fusion,
                                           arch::PrecisionScaling::Subword),
                         [](const ::testing::TestParamInfo<arch::PrecisionScaling>& p) {
                           return std::string(arch::to_string(p.param));
                         });

TEST(Engines, AgreeOnRandomSystolicLayersWithDram) { compare_engines(3, 40, 5, false, false); }

TEST(Engines, AgreeOnTiledAndReorderedMappings) {
  // Longer streams than random_layer's (up to 16 x 16 outputs), small output buffers, DRAM:
  // the mapper's tiled and reordered nests, fold by fold, in both engines.
  Coverage c;
  compare_engines(4, 40, 4, false, false, true, &c);
  std::printf("%d tiled, %d reordered layers\n", c.tiled, c.reordered);
  EXPECT_GE(c.tiled, 8);  // fixed seed: guards against the check becoming vacuous
  EXPECT_GE(c.reordered, 30);
}

}  // namespace
}  // namespace qarch::sim
