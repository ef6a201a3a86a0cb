// The qarch executable as a user runs it: every shipped config x workload, output files, exit
// codes and messages for bad input (never a crash, never partial output).

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli_support.hpp"

namespace qarch::cli {
namespace {

namespace fs = std::filesystem;
using testing::run_process;
using testing::scratch_dir;
using testing::source_path;

using testing::kArch;
using testing::kLenet;
using testing::starts_with;

std::vector<std::string> files_in(const std::string& dir, const std::string& extension) {
  std::vector<std::string> paths;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() == extension) paths.push_back(e.path().string());
  }
  std::sort(paths.begin(), paths.end());
  return paths;
}

TEST(Process, EveryConfigRunsEveryWorkload) {
  const auto configs = files_in(source_path("configs"), ".yaml");
  const auto workloads = files_in(source_path("workloads"), ".yaml");
  ASSERT_FALSE(configs.empty());
  ASSERT_EQ(workloads.size(), 8u);  // the shipped networks (docs/workloads.md)
  for (const auto& c : configs) {
    for (const auto& w : workloads) {
      const std::string out = scratch_dir("all");
      const auto o = run_process({"run", "--arch", c, "--workload", w, "--out", out, "--format", "csv"});
      ASSERT_EQ(o.status, 0) << c << " x " << w << ": " << o.err;
      std::ifstream summary_file(out + "/summary.json");
      const auto summary = nlohmann::json::parse(summary_file);
      std::int64_t layer_macs = 0;
      for (const auto& layer : summary["layers"]) layer_macs += layer["macs"].get<std::int64_t>();
      EXPECT_EQ(summary["macs"].get<std::int64_t>(), layer_macs) << c << " x " << w;
    }
  }
}

TEST(Process, OutputDirectoryHoldsTheThreeReports) {
  const std::string out = scratch_dir("out") + "/run";
  const auto o = run_process({"run", "--arch", source_path("configs/tpu-like.yaml"), "--workload",
                              source_path("workloads/resnet50.yaml"), "--out", out});
  ASSERT_EQ(o.status, 0) << o.err;
  for (const char* f : {"layers.csv", "summary.json", "report.md"}) {
    EXPECT_TRUE(fs::is_regular_file(out + "/" + f)) << f;
  }
  EXPECT_EQ(files_in(out, ".csv").size(), 1u);
  std::ifstream summary_file(out + "/summary.json");
  EXPECT_EQ(nlohmann::json::parse(summary_file)["macs"], 4089184256LL);
}

TEST(Process, ErrorsLeaveNoOutputBehind) {
  const std::string base = scratch_dir("partial");
  const std::string bad_net = base + "/bad.yaml";
  std::ofstream(bad_net) << "name: b\ninput: {channels: 1, height: 4, width: 4}\nlayers:\n"
                            "  - {name: c, type: conv2d, filters: 2, kernel: 9}\n";
  const auto o = run_process({"run", "--arch", source_path("configs/tpu-like.yaml"), "--workload",
                              bad_net, "--out", base + "/result"});
  EXPECT_EQ(o.status, 2);
  EXPECT_FALSE(fs::exists(base + "/result"));
  EXPECT_TRUE(o.out.empty());
}

TEST(Process, GarbageInputGivesAnErrorNeverACrash) {
  const std::string base = scratch_dir("garbage");
  const std::vector<std::pair<std::string, std::string>> inputs = {
      {"empty.yaml", ""},
      {"binary.yaml", std::string("\x00\x01\xff\xfe{{[[", 8)},
      {"list.yaml", "- 1\n- 2\n"},
      {"tabs.yaml", "name:\t[unclosed\n"},
      {"deep.yaml", std::string(2000, '[')},
  };
  for (const auto& [name, text] : inputs) {
    std::ofstream(base + "/" + name, std::ios::binary) << text;
    for (const char* option : {"--arch", "--workload"}) {
      const std::string other_option = std::string(option) == "--arch" ? "--workload" : "--arch";
      const std::string other = std::string(option) == "--arch" ? source_path("workloads/lenet5.yaml")
                                                                 : source_path("configs/tpu-like.yaml");
      const auto o = run_process({"run", option, base + "/" + name, other_option, other});
      EXPECT_EQ(o.status, 2) << name << " as " << option << ": " << o.err;
      EXPECT_EQ(o.err.rfind("error: ", 0), 0u) << o.err;
    }
  }
  const auto dir = run_process({"run", "--arch", base, "--workload", source_path("workloads/mlp.yaml")});
  EXPECT_EQ(dir.status, 2);
  EXPECT_NE(dir.err.find("is a directory"), std::string::npos);
}

TEST(Process, ScaleSimTopologyRuns) {
  const std::string base = scratch_dir("csv");
  std::ofstream(base + "/topo.csv")
      << "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\n"
         "conv1, 56, 56, 3, 3, 64, 64, 1,\nfc, 1, 1, 1, 1, 512, 10, 1,\n";
  const auto o = run_process({"run", "--arch", source_path("configs/tpu-like.yaml"), "--workload",
                              base + "/topo.csv", "--format", "json"});
  ASSERT_EQ(o.status, 0) << o.err;
  const auto summary = nlohmann::json::parse(o.out);
  EXPECT_EQ(summary["layers"][0]["macs"], 54 * 54 * 9 * 64 * 64);
  EXPECT_EQ(summary["layers"][1]["macs"], 5120);
}

TEST(ProcessRun, RunPrintsTableAndSummary) {
  const auto o = run_process({"run", "--arch", kArch, "--workload", kLenet});
  EXPECT_EQ(o.status, 0) << o.err;
  EXPECT_NE(o.out.find("conv1"), std::string::npos);
  EXPECT_NE(o.out.find("MACs:          416,520"), std::string::npos);
  EXPECT_EQ(o.out.find("no timing model"), std::string::npos);  // cycles come from the simulation
}

TEST(ProcessRun, RunJsonAndCsvOnStdout) {
  const auto json = run_process({"run", "--arch", kArch, "--workload", kLenet, "--format", "json"});
  ASSERT_EQ(json.status, 0);
  const auto summary = nlohmann::json::parse(json.out);
  EXPECT_EQ(summary["macs"], 416520);
  std::int64_t cycles = 0;
  for (const auto& l : summary["layers"]) {
    EXPECT_EQ(l["total_cycles"].get<std::int64_t>(),
              l["compute_cycles"].get<std::int64_t>() + l["stall_cycles"].get<std::int64_t>());
    cycles += l["total_cycles"].get<std::int64_t>();
  }
  EXPECT_EQ(summary["total_cycles"].get<std::int64_t>(), cycles);
  EXPECT_GT(cycles, 416520 / (32 * 32));  // no faster than every PE busy every cycle
  const auto csv = run_process({"run", "--arch", kArch, "--workload", kLenet, "--format", "csv"});
  ASSERT_EQ(csv.status, 0);
  EXPECT_TRUE(starts_with(csv.out, "name,type,macs,total_cycles,"));
}

TEST(ProcessRun, NarrowerWeightsMoveFewerDramBytesAndStallLess) {
  const auto run = [](const std::string& format) {
    const auto o = run_process({"run", "--arch", kArch, "--workload", source_path("workloads/alexnet.yaml"),
                                "--format", "json", "--set", "pe_array.weight_format=" + format});
    EXPECT_EQ(o.status, 0) << o.err;
    return nlohmann::json::parse(o.out);
  };
  const auto int8 = run("int8");
  const auto int4 = run("int4");
  std::int64_t bytes8 = 0, bytes4 = 0;
  for (const auto& l : int8["layers"]) bytes8 += l["dram_read_bytes"].get<std::int64_t>();
  for (const auto& l : int4["layers"]) bytes4 += l["dram_read_bytes"].get<std::int64_t>();
  EXPECT_LT(bytes4, bytes8);
  EXPECT_LT(int4["stall_cycles"].get<std::int64_t>(), int8["stall_cycles"].get<std::int64_t>());
  EXPECT_EQ(int4["macs"], int8["macs"]);
}

// Issue 16's done-when: on a layer bound by its buffers' bandwidth (int16 inputs, 64-bit
// words), the simulated stalls rise when the input and output buffers lose half their ports or
// banks, and the SRAM share of the stalls is reported.
TEST(ProcessRun, HalvingBufferPortsOrBanksRaisesTheSimulatedStalls) {
  const auto run = [](int banks, int ports) {
    std::vector<std::string> args = {"run", "--arch", kArch, "--workload", source_path("workloads/lenet5.yaml"),
                                     "--format", "json", "--set", "pe_array.activation_format=int16"};
    for (const char* b : {"input", "output"}) {
      for (const std::string& kv : {std::string("word_bits=64"), "banks=" + std::to_string(banks),
                                    "ports=" + std::to_string(ports)}) {
        args.push_back("--set");
        args.push_back(std::string("buffers.") + b + "." + kv);
      }
    }
    const auto o = run_process(args);
    EXPECT_EQ(o.status, 0) << o.err;
    return nlohmann::json::parse(o.out);
  };
  const auto full = run(8, 2), half_ports = run(8, 1), half_banks = run(4, 2);
  const auto sram = [](const nlohmann::json& s) { return s["sram_stall_cycles"].get<std::int64_t>(); };
  const auto stall = [](const nlohmann::json& s) { return s["stall_cycles"].get<std::int64_t>(); };
  EXPECT_GT(sram(half_ports), sram(full));
  EXPECT_GT(sram(half_banks), sram(full));
  EXPECT_GT(stall(half_ports), stall(full));
  EXPECT_GT(stall(half_banks), stall(full));
  EXPECT_LE(sram(half_ports), stall(half_ports));
  EXPECT_EQ(full["macs"], half_ports["macs"]);
}

// mapper.objective: on ResNet-50 the energy objective's simulated energy is lower than the cycles
// objective's and its cycles are not; explain and functional mode follow the same mapping.
TEST(ProcessRun, MapperObjectiveEnergyLowersTheSimulatedEnergy) {
  const auto run = [](const std::string& objective) {
    const auto o = run_process({"run", "--arch", kArch, "--workload", source_path("workloads/resnet50.yaml"),
                                "--format", "json", "--set", "mapper.objective=" + objective});
    EXPECT_EQ(o.status, 0) << o.err;
    return nlohmann::json::parse(o.out);
  };
  const auto cycles = run("cycles");
  const auto energy = run("energy");
  const auto edp = run("edp");
  EXPECT_LT(energy["energy_pj"].get<double>(), 0.95 * cycles["energy_pj"].get<double>());
  EXPECT_GE(energy["total_cycles"].get<std::int64_t>(), cycles["total_cycles"].get<std::int64_t>());
  const auto product = [](const nlohmann::json& s) {
    return s["energy_pj"].get<double>() * s["total_cycles"].get<double>();
  };
  EXPECT_LT(product(edp), product(cycles));
  EXPECT_LT(product(edp), product(energy));

  const std::vector<std::string> lenet_energy = {"--arch", kArch, "--workload",
                                                 source_path("workloads/fashion/lenet5.yaml"), "--set",
                                                 "mapper.objective=energy"};
  auto args = lenet_energy;
  args.insert(args.begin(), "run");
  args.insert(args.end(), {"--format", "json", "--functional", "--limit", "20"});
  const auto functional = run_process(args);
  ASSERT_EQ(functional.status, 0) << functional.err;
  const double conv2 = nlohmann::json::parse(functional.out)["layers"][3]["energy_pj"].get<double>();
  args = lenet_energy;
  args.insert(args.begin(), "explain");
  args.insert(args.end(), {"--layer", "conv2"});
  const auto explain = run_process(args);
  ASSERT_EQ(explain.status, 0) << explain.err;
  const std::size_t at = explain.out.find("  total ");
  ASSERT_NE(at, std::string::npos);
  EXPECT_NEAR(std::stod(explain.out.substr(at + 8)), conv2, 1e-5 * conv2);
  args = lenet_energy;
  args.insert(args.begin(), "map");
  args.insert(args.end(), {"--layer", "conv2", "--candidates", "3"});
  const auto map = run_process(args);
  ASSERT_EQ(map.status, 0) << map.err;
  EXPECT_NE(map.out.find("mapper objective energy"), std::string::npos) << map.out;
  EXPECT_NE(map.out.find("energy pJ~"), std::string::npos) << map.out;
}

TEST(ProcessRun, SetChangesTheRun) {
  const auto o = run_process({"run", "--arch", kArch, "--workload", kLenet, "--format", "json",
                                 "--set", "pe_array.weight_format=int4"});
  ASSERT_EQ(o.status, 0) << o.err;
  const auto summary = nlohmann::json::parse(o.out);
  EXPECT_EQ(summary["weight_bytes"], 61470 / 2);  // every LeNet-5 layer has an even weight count
  EXPECT_EQ(summary["layers"][0]["weight_format"], "int4");
}

TEST(Process, SameInputsGiveByteIdenticalReports) {
  const auto read = [](const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  };
  const std::string base = scratch_dir("determinism");
  for (const char* run : {"a", "b"}) {
    const auto o = run_process({"run", "--arch", kArch, "--workload", source_path("workloads/mobilenetv2.yaml"),
                                "--out", base + "/" + run, "--format", "csv"});
    ASSERT_EQ(o.status, 0) << o.err;
  }
  for (const char* f : {"layers.csv", "summary.json", "report.md"}) {
    const std::string a = read(base + "/a/" + f);
    EXPECT_FALSE(a.empty()) << f;
    EXPECT_EQ(a, read(base + "/b/" + f)) << f;
  }
}

TEST(ProcessRun, EnergyBreakdownAddsUpPerLayerAndInTotal) {
  const auto o = run_process({"run", "--arch", kArch, "--workload", kLenet, "--format", "json"});
  ASSERT_EQ(o.status, 0) << o.err;
  const auto summary = nlohmann::json::parse(o.out);
  double components = 0;
  for (const auto& [name, pj] : summary["energy_breakdown_pj"].items()) components += pj.get<double>();
  const double total = summary["energy_pj"].get<double>();
  EXPECT_NEAR(components, total, 1e-9 * total);
  double layers = 0;
  for (const auto& l : summary["layers"]) {
    double parts = 0;
    for (const auto& [key, value] : l.items()) {
      if (key.rfind("energy_", 0) == 0 && key != "energy_pj") parts += value.get<double>();
    }
    EXPECT_NEAR(parts, l["energy_pj"].get<double>(), 1e-9 * l["energy_pj"].get<double>()) << l["name"];
    layers += l["energy_pj"].get<double>();
  }
  EXPECT_NEAR(layers, total, 1e-9 * total);
  EXPECT_NEAR(summary["pj_per_mac"].get<double>(), total / 416520.0, 1e-9);
  EXPECT_NEAR(summary["tops_per_w"].get<double>(), 2 * 416520.0 / total, 1e-9);
  const double tops = 2 * 416520.0 / summary["latency_s"].get<double>() / 1e12;
  EXPECT_NEAR(summary["tops"].get<double>(), tops, 1e-12);
  EXPECT_LE(summary["tops"].get<double>(), summary["peak_tops"].get<double>());
  EXPECT_GT(summary["area_um2"].get<double>(), 0);
}

TEST(ProcessRun, ExplainShowsTheSameEnergyAsRun) {
  const auto run = run_process({"run", "--arch", kArch, "--workload", kLenet, "--format", "json"});
  ASSERT_EQ(run.status, 0) << run.err;
  const double conv2 = nlohmann::json::parse(run.out)["layers"][3]["energy_pj"].get<double>();
  const auto o = run_process({"explain", "--arch", kArch, "--workload", kLenet, "--layer", "conv2"});
  ASSERT_EQ(o.status, 0) << o.err;
  EXPECT_NE(o.out.find("conv2:"), std::string::npos);
  EXPECT_EQ(o.out.find("conv1:"), std::string::npos);  // only the layer asked for
  const std::size_t at = o.out.find("  total ");
  ASSERT_NE(at, std::string::npos);
  const double printed = std::stod(o.out.substr(at + 8));
  EXPECT_NEAR(printed, conv2, 1e-5 * conv2);  // printed to 6 significant digits
  const auto missing = run_process({"explain", "--arch", kArch, "--workload", kLenet, "--layer", "conv9"});
  EXPECT_EQ(missing.status, 2);
  EXPECT_NE(missing.err.find("no layer named 'conv9'"), std::string::npos);
}

TEST(ProcessRun, FunctionalRunReportsAccuracyAndValueStatistics) {
  const std::string lenet = source_path("workloads/fashion/lenet5.yaml");
  const auto run = [&](const std::string& gating) {
    const auto o = run_process({"run", "--arch", source_path("configs/int8.yaml"), "--workload", lenet,
                                "--functional", "--limit", "200", "--format", "json", "--set",
                                "pe_array.zero_gating=" + gating});
    EXPECT_EQ(o.status, 0) << o.err;
    return nlohmann::json::parse(o.out);
  };
  const auto plain = run("false");
  const auto gated = run("true");
  EXPECT_EQ(plain["images"], 200);
  EXPECT_GE(plain["top1"].get<double>(), 0.8);  // a trained LeNet-5 on Fashion-MNIST
  EXPECT_LE(plain["top1"].get<double>(), 1.0);
  EXPECT_GE(plain["reference_top1"].get<double>(), 0.8);
  EXPECT_EQ(plain["top1"], gated["top1"]);  // gating saves energy, never changes values
  const auto& conv2 = plain["layers"][3];
  EXPECT_EQ(conv2["name"], "conv2");
  EXPECT_GT(conv2["zero_activation_operands"].get<std::int64_t>(), 0);  // inputs after ReLU
  EXPECT_EQ(conv2["zero_gated_macs"], 0);
  EXPECT_GT(conv2["sqnr_db"].get<double>(), 20.0);
  EXPECT_EQ(gated["layers"][3]["zero_gated_macs"], conv2["zero_operand_macs"]);
  EXPECT_LT(gated["energy_breakdown_pj"]["mac"].get<double>(), plain["energy_breakdown_pj"]["mac"].get<double>());
  EXPECT_EQ(gated["energy_breakdown_pj"]["dram"], plain["energy_breakdown_pj"]["dram"]);
}

// MXFP4 weights and activations on the block dot-product array (configs/mxfp4.yaml): functional
// mode runs it end to end, with the energy of the same run.
TEST(ProcessRun, FunctionalRunOfBlockFormats) {
  const auto o = run_process({"run", "--arch", source_path("configs/mxfp4.yaml"), "--workload",
                              source_path("workloads/fashion/mlp.yaml"), "--functional", "--limit", "200",
                              "--format", "json"});
  ASSERT_EQ(o.status, 0) << o.err;
  const auto j = nlohmann::json::parse(o.out);
  EXPECT_EQ(j["images"], 200);
  EXPECT_GE(j["top1"].get<double>(), 0.8);
  EXPECT_GE(j["top1"].get<double>(), j["reference_top1"].get<double>() - 0.03);
  EXPECT_GT(j["energy_pj"].get<double>(), 0.0);
  for (const int i : {0, 2, 4}) {
    const auto& layer = j["layers"][i];
    EXPECT_EQ(layer["weight_format"], "mxfp4");
    EXPECT_EQ(layer["multiplier"], "block_dot");
    EXPECT_GT(layer["sqnr_db"].get<double>(), 10.0) << layer["name"];
  }
  EXPECT_GT(j["layers"][2]["zero_activation_operands"].get<std::int64_t>(), 0);  // after ReLU
  EXPECT_GT(j["layers"][0]["saturated_values"].get<std::int64_t>(), 0);  // floor scales clip
}

// --threads changes the speed, never a byte of the reports; a language model's reports carry
// its perplexity; progress goes only to a terminal, so a piped run stays silent.
TEST(ProcessRun, FunctionalThreadsAndLanguageModelReports) {
  const std::string one_dir = scratch_dir("lm_threads1") + "/r", two_dir = scratch_dir("lm_threads2") + "/r";
  const auto run = [&](const std::string& threads, const std::string& dir) {
    const auto o = run_process({"run", "--arch", source_path("configs/int8.yaml"), "--workload",
                                source_path("workloads/text/tinylm.yaml"), "--functional", "--limit", "4",
                                "--threads", threads, "--out", dir});
    EXPECT_EQ(o.status, 0) << o.err;
    EXPECT_EQ(o.err.find("functional:"), std::string::npos);  // not a terminal
    return o;
  };
  const auto one = run("1", one_dir);
  run("2", two_dir);
  for (const char* f : {"summary.json", "layers.csv"}) {
    std::ifstream a(one_dir + "/" + f), b(two_dir + "/" + f);
    const std::string x{std::istreambuf_iterator<char>(a), {}}, y{std::istreambuf_iterator<char>(b), {}};
    EXPECT_FALSE(x.empty());
    EXPECT_EQ(x, y) << f;
  }
  std::ifstream in(one_dir + "/summary.json");
  const auto j = nlohmann::json::parse(in);
  EXPECT_EQ(j["images"], 4);
  EXPECT_EQ(j["scored_tokens"], 4 * 64);
  EXPECT_GT(j["reference_perplexity"].get<double>(), 1.0);  // below 256: better than guessing
  EXPECT_LT(j["reference_perplexity"].get<double>(), 256.0);
  EXPECT_NEAR(j["perplexity"].get<double>(), j["reference_perplexity"].get<double>(),
              0.1 * j["reference_perplexity"].get<double>());  // int8
  EXPECT_NE(one.out.find("perplexity:"), std::string::npos);
  const auto bad = run_process({"run", "--arch", kArch, "--workload", source_path("workloads/fashion/mlp.yaml"),
                                "--functional", "--threads", "-1"});
  EXPECT_EQ(bad.status, 2);
  EXPECT_NE(bad.err.find("--threads must be from 0 to 1024"), std::string::npos) << bad.err;
  const auto stray = run_process({"run", "--arch", kArch, "--workload", kLenet, "--threads", "2"});
  EXPECT_EQ(stray.status, 2);
  EXPECT_NE(stray.err.find("need --functional"), std::string::npos);
}

TEST(ProcessRun, FunctionalOptionErrors) {
  const auto lenet = source_path("workloads/fashion/lenet5.yaml");
  const auto stray = run_process({"run", "--arch", kArch, "--workload", lenet, "--limit", "5"});
  EXPECT_EQ(stray.status, 2);
  EXPECT_NE(stray.err.find("need --functional"), std::string::npos);
  const auto no_weights = run_process({"run", "--arch", kArch, "--workload", kLenet, "--functional", "--limit", "5"});
  EXPECT_EQ(no_weights.status, 2);
  EXPECT_EQ(no_weights.err.rfind("error: ", 0), 0u) << no_weights.err;
  const auto no_data = run_process({"run", "--arch", kArch, "--workload", lenet, "--functional",
                                    "--dataset", "/nonexistent", "--out", scratch_dir("nodata") + "/r"});
  EXPECT_EQ(no_data.status, 2);
  EXPECT_NE(no_data.err.find("/nonexistent"), std::string::npos);
  EXPECT_FALSE(fs::exists(scratch_dir("nodata") + "/r"));
  const auto stray_reference = run_process({"run", "--arch", kArch, "--workload", lenet, "--reference-images", "5"});
  EXPECT_EQ(stray_reference.status, 2);
  EXPECT_NE(stray_reference.err.find("need --functional"), std::string::npos);
  const auto negative = run_process({"run", "--arch", kArch, "--workload", lenet, "--functional", "--reference-images", "-1"});
  EXPECT_EQ(negative.status, 2);
  EXPECT_NE(negative.err.find("--reference-images must be at least 0"), std::string::npos) << negative.err;
}

// --reference-images N: the summary says over how many images the float32 reference ran.
TEST(ProcessRun, ReferenceOnTheFirstImages) {
  const auto lenet = source_path("workloads/fashion/lenet5.yaml");
  const auto run = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = {"run", "--arch", kArch, "--workload", lenet, "--functional", "--limit", "30"};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_process(args);
  };
  const auto sampled = run({"--reference-images", "10"});
  ASSERT_EQ(sampled.status, 0) << sampled.err;
  EXPECT_NE(sampled.out.find("images (float32: "), std::string::npos) << sampled.out;
  EXPECT_NE(sampled.out.find(" over the first 10 images)"), std::string::npos) << sampled.out;
  const auto json = nlohmann::json::parse(run({"--reference-images", "10", "--format", "json"}).out);
  EXPECT_EQ(json["images"], 30);
  EXPECT_EQ(json["reference_images"], 10);
  const auto full = nlohmann::json::parse(run({"--format", "json"}).out);
  EXPECT_FALSE(full.contains("reference_images"));  // all of them
  EXPECT_EQ(full["top1"], json["top1"]);
  const auto none = run({"--reference-images", "0", "--format", "json"});
  ASSERT_EQ(none.status, 0) << none.err;
  EXPECT_TRUE(nlohmann::json::parse(none.out)["reference_top1"].is_null());
  EXPECT_NE(run({"--reference-images", "0"}).out.find("(float32 reference not run)"), std::string::npos);
}

TEST(Process, UnwritableOutputIsAUserError) {
  const std::string base = scratch_dir("unwritable");
  std::ofstream(base + "/file") << "x";
  const auto o = run_process({"run", "--arch", source_path("configs/tpu-like.yaml"), "--workload",
                              source_path("workloads/mlp.yaml"), "--out", base + "/file"});
  EXPECT_EQ(o.status, 2);
  EXPECT_NE(o.err.find("error: cannot create output directory"), std::string::npos);
}

}  // namespace
}  // namespace qarch::cli

namespace qarch::cli {
namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::int64_t total_dram_bytes(const nlohmann::json& summary) {
  std::int64_t sum = 0;
  for (const auto& l : summary["layers"]) {
    sum += l["dram_read_bytes"].get<std::int64_t>() + l["dram_write_bytes"].get<std::int64_t>();
  }
  return sum;
}

// memory.fuse_layers and memory.weights_resident round-trip through --set, and summary.json,
// report.md and layers.csv say what was assumed.
TEST(ProcessRun, FusionAndWeightResidencyAreReported) {
  const std::string int8 = source_path("configs/int8.yaml");
  const std::string base = scratch_dir("fusion");
  const auto on = run_process({"run", "--arch", int8, "--workload", kLenet, "--out", base + "/on"});
  ASSERT_EQ(on.status, 0) << on.err;
  const auto off = run_process({"run", "--arch", int8, "--workload", kLenet, "--out", base + "/off", "--set",
                                "memory.fuse_layers=false", "--set", "memory.weights_resident=false"});
  ASSERT_EQ(off.status, 0) << off.err;
  const auto s_on = nlohmann::json::parse(read_file(base + "/on/summary.json"));
  const auto s_off = nlohmann::json::parse(read_file(base + "/off/summary.json"));
  // LeNet-5: conv1 -> relu1 -> pool1 -> conv2 -> relu2 -> pool2 -> fc1 -> relu3 -> fc2 -> relu4
  // -> fc3, every output read only by the next layer, each small enough to hand off.
  EXPECT_EQ(s_on["fuse_layers"], true);
  EXPECT_EQ(s_on["fused_layers"], 10);
  EXPECT_GT(s_on["fusion_dram_bytes_saved"].get<std::int64_t>(), 0);
  EXPECT_EQ(s_on["fusion_dram_bytes_possible"], s_on["fusion_dram_bytes_saved"]);
  // 61,470 weight bytes fit half of the 256 KiB weight buffer.
  EXPECT_EQ(s_on["weights_resident"], true);
  EXPECT_EQ(s_on["weights_resident_setting"], "auto");
  EXPECT_EQ(s_on["weight_buffer_bytes"], 128 * 1024);
  EXPECT_EQ(s_on["weight_dram_bytes_saved"], 61470);
  EXPECT_EQ(s_off["fuse_layers"], false);
  EXPECT_EQ(s_off["fused_layers"], 0);
  EXPECT_EQ(s_off["fusion_dram_bytes_saved"], 0);
  EXPECT_EQ(s_off["fusion_dram_bytes_possible"], s_on["fusion_dram_bytes_saved"]);
  EXPECT_EQ(s_off["weights_resident"], false);
  EXPECT_EQ(s_off["weights_resident_setting"], "false");
  EXPECT_EQ(s_off["weight_dram_bytes_saved"], 0);
  // What the layers move differs by exactly what was saved; only the last layer writes.
  EXPECT_EQ(total_dram_bytes(s_off) - total_dram_bytes(s_on),
            s_on["fusion_dram_bytes_saved"].get<std::int64_t>() + 61470);
  EXPECT_LT(s_on["energy_pj"].get<double>(), s_off["energy_pj"].get<double>());
  const auto& layers = s_on["layers"];
  EXPECT_EQ(layers[0]["fused_into"], "relu1");
  EXPECT_EQ(layers[0]["dram_write_bytes"], 0);
  EXPECT_EQ(layers[1]["dram_read_bytes"], 0);
  EXPECT_EQ(layers[10]["fused_into"], "");
  EXPECT_EQ(layers[10]["dram_write_bytes"], 10);
  EXPECT_EQ(s_off["layers"][0]["fused_into"], "");
  EXPECT_NE(read_file(base + "/on/layers.csv").find(",relu1,"), std::string::npos);
  const std::string md_on = read_file(base + "/on/report.md");
  const std::string md_off = read_file(base + "/off/report.md");
  EXPECT_NE(md_on.find("| fusion | on: 10 layer outputs stay on chip"), std::string::npos) << md_on;
  EXPECT_NE(md_on.find("| weights | resident (auto: 61,470 <= 131,072 usable weight buffer bytes)"),
            std::string::npos) << md_on;
  EXPECT_NE(md_off.find("| fusion | off: every layer's output goes to DRAM and back; on it would save"),
            std::string::npos) << md_off;
  EXPECT_NE(md_off.find("| weights | streamed from DRAM every inference (memory.weights_resident: false)"),
            std::string::npos) << md_off;
}

TEST(Process, FusionAndResidencyKeysAreValidated) {
  const std::string int8 = source_path("configs/int8.yaml");
  const auto check = [&](const std::vector<std::string>& extra, const std::vector<std::string>& expect) {
    std::vector<std::string> args = {"validate", "--arch", int8};
    args.insert(args.end(), extra.begin(), extra.end());
    const auto o = run_process(args);
    EXPECT_EQ(o.status, 2) << o.err;
    EXPECT_TRUE(starts_with(o.err, "error:")) << o.err;
    for (const auto& e : expect) EXPECT_NE(o.err.find(e), std::string::npos) << e << " in " << o.err;
  };
  check({"--set", "memory.fuse_layers=3"}, {"memory.fuse_layers", "true or false"});
  check({"--set", "memory.weights_resident=maybe"}, {"memory.weights_resident", "auto", "true", "false"});
  check({"--set", "memory.fuse_layer=true"}, {"memory.fuse_layer", "did you mean 'fuse_layers'"});
  // ResNet-50's 25.5 MB of int8 weights do not fit 128 KiB.
  check({"--workload", source_path("workloads/resnet50.yaml"), "--set", "memory.weights_resident=true"},
        {"memory.weights_resident", "25502912 bytes", "131072 bytes"});
  const auto ok = run_process({"validate", "--arch", int8, "--workload", kLenet, "--set",
                               "memory.weights_resident=true", "--set", "memory.fuse_layers=false"});
  EXPECT_EQ(ok.status, 0) << ok.err;
}

}  // namespace
}  // namespace qarch::cli
