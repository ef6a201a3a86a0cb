// qarch run: one design point, one network, one report.

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <iostream>
#include <ostream>
#include <sstream>

#include "arch/arch_spec.hpp"
#include "arch/network_check.hpp"
#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "dse/progress.hpp"
#include "eval/evaluate.hpp"
#include "eval/llm.hpp"
#include "report/output_files.hpp"
#include "report/render.hpp"
#include "workload/decoder.hpp"
#include "workload/network.hpp"

namespace qarch::cli {

namespace {

void write_result(const po::variables_map& vm, const report::NetworkResult& result, std::ostream& out,
                  std::ostream& err) {
  if (vm.count("out")) {
    const std::string dir = vm["out"].as<std::string>();
    report::write_report_files(dir, result);
    err << "wrote " << dir << "/layers.csv, summary.json and report.md\n";
  }
  const std::string format = vm["format"].as<std::string>();
  if (format == "table") out << report::render_table(result);
  if (format == "csv") out << report::render_csv(result);
  if (format == "json") out << report::render_json(result);
  if (format == "md") out << report::render_markdown(result);
}

bool is_decoder_workload(const std::string& path) {
  if (path.size() >= 4 && path.compare(path.size() - 4, 4, ".csv") == 0) return false;
  return workload::is_decoder_file(config::Document::load(path));
}

// "functional: 1,200/10,000 samples  850/s  0:10 left", redrawn in place; a newline at the end.
std::function<void(std::int64_t, std::int64_t)> functional_progress(std::ostream& err) {
  std::optional<std::chrono::steady_clock::time_point> start;  // the first call: evaluation starts
  return [&err, start](std::int64_t done, std::int64_t total) mutable {
    const auto now = std::chrono::steady_clock::now();
    if (!start) start = now;
    const double elapsed = std::chrono::duration<double>(now - *start).count();
    const double rate = elapsed > 0 ? static_cast<double>(done) / elapsed : 0;
    std::ostringstream line;
    line << "\rfunctional: " << done << "/" << total << " samples  " << static_cast<std::int64_t>(rate) << "/s";
    if (rate > 0 && done < total) line << "  " << dse::format_duration(static_cast<double>(total - done) / rate) << " left";
    line << "   ";
    err << line.str() << (done == total ? "\n" : "") << std::flush;
  };
}

// qarch run --phase: a decoder's prefill and/or decode steps (eval/llm.hpp).
int run_generation(const po::variables_map& vm, const arch::ArchSpec& arch, std::ostream& out, std::ostream& err) {
  const std::string phase_text = vm.count("phase") ? vm["phase"].as<std::string>() : "prefill";
  const std::optional<eval::Phase> phase = eval::parse_phase(phase_text);
  if (!phase) throw po::error("--phase must be prefill, decode or generate, got '" + phase_text + "'");
  if (vm.count("functional") || vm.count("dram-trace")) throw po::error("decoder workloads run without --functional and --dram-trace (docs/llm.md)");
  const std::string path = vm["workload"].as<std::string>();
  const config::Document document = config::Document::load(path);
  if (!workload::is_decoder_file(document)) {
    throw po::error("--phase needs a decoder workload (a file with a decoder: section, e.g. "
                    "workloads/decoders/gpt2_small.yaml); " + path + " is a plain network");
  }
  const workload::DecoderSpec decoder = workload::load_decoder(document);
  eval::GenerationSettings settings;
  settings.phase = *phase;
  settings.prompt_tokens = vm.count("prompt-tokens") ? vm["prompt-tokens"].as<std::int64_t>() : decoder.sequence;
  settings.generate_tokens = vm["generate-tokens"].as<std::int64_t>();
  settings.batch = vm["batch"].as<std::int64_t>();
  if (settings.prompt_tokens < 1) throw po::error("--prompt-tokens must be at least 1");
  if (settings.generate_tokens < 1) throw po::error("--generate-tokens must be at least 1");
  if (settings.batch < 1) throw po::error("--batch must be at least 1");
  if (*phase == eval::Phase::Prefill && !vm["generate-tokens"].defaulted()) {
    throw po::error("--generate-tokens needs --phase decode or generate");
  }
  eval::Options options;
  options.models_dir = vm["models"].as<std::string>();
  write_result(vm, eval::evaluate_generation(arch, decoder, settings, options), out, err);
  return 0;
}

}  // namespace

int run_run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  po::options_description options("options");
  options.add_options()
      ("arch", po::value<std::string>()->required(), "design point YAML (configs/*.yaml)")
      ("workload", po::value<std::string>()->required(),
       "network YAML (workloads/*.yaml) or SCALE-Sim topology (*.csv)")
      ("set", po::value<std::vector<std::string>>()->composing(),
       "override an architecture key, e.g. --set pe_array.rows=32, or a workload key as workload.KEY, "
       "e.g. workload.batch=4, workload.per_channel=true, workload.layers.conv1.weight_format=int4 (repeatable)")
      ("out", po::value<std::string>(), "write layers.csv, summary.json and report.md to this directory")
      ("format", po::value<std::string>()->default_value("table"),
       "what to print on stdout: table, csv, json or md")
      ("models", po::value<std::string>()->default_value(default_models_dir()),
       "directory of technology tables (models/*.yaml)")
      ("functional", "also compute real outputs with the configured arithmetic: top-1 accuracy and value statistics")
      ("dataset", po::value<std::string>()->default_value(eval::default_dataset_dir()),
       "functional: MNIST-style IDX directory (t10k-images/labels, train-images for calibration)")
      ("limit", po::value<std::int64_t>()->default_value(10000), "functional: test images to evaluate")
      ("per-channel", "functional: one weight scale per output channel for integer formats")
      ("threads", po::value<int>()->default_value(0), "functional: threads (0: one per core; results do not depend on it)")
      ("reference-images", po::value<std::int64_t>(),
       "functional: run the float32 reference (SQNR, float32 top-1) on only the first N images (default: all)")
      ("quiet,q", "functional: no progress line on the terminal")
      ("dram-trace", po::value<std::string>(),
       "write every simulated DRAM access to this file, in the trace format of qarch dram")
      ("phase", po::value<std::string>(),
       "decoder workloads: prefill, decode or generate (prefill then decode); rows sum blocks and steps")
      ("prompt-tokens", po::value<std::int64_t>(), "--phase: prompt length P (default: the decoder's sequence)")
      ("generate-tokens", po::value<std::int64_t>()->default_value(128), "--phase decode|generate: decode steps G")
      ("batch", po::value<std::int64_t>()->default_value(1), "--phase: sequences decoded together");
  po::variables_map vm;
  if (!parse_options("run", "--arch FILE --workload FILE [options]", options, args, vm, out)) {
    return 0;
  }
  const std::string format = vm["format"].as<std::string>();
  if (format != "table" && format != "csv" && format != "json" && format != "md") {
    throw po::error("--format must be table, csv, json or md, got '" + format + "'");
  }
  const auto arch = arch::load_arch(vm["arch"].as<std::string>(), overrides_from(vm), vm["models"].as<std::string>());
  // A decoder runs step by step (block rows stand for every block): a prefill unless --phase.
  if (vm.count("phase") || is_decoder_workload(vm["workload"].as<std::string>())) return run_generation(vm, arch, out, err);
  if (vm.count("prompt-tokens") || !vm["generate-tokens"].defaulted() || !vm["batch"].defaulted()) {
    throw po::error("--prompt-tokens, --generate-tokens and --batch need --phase");
  }
  const auto network = network_from(vm);
  arch::check_network(arch, network);

  eval::Options run_options;
  run_options.models_dir = vm["models"].as<std::string>();
  if (vm.count("functional")) {
    eval::FunctionalSettings f{vm["dataset"].as<std::string>(), vm["limit"].as<std::int64_t>(),
                               vm.count("per-channel") > 0 || network.per_channel};
    f.threads = vm["threads"].as<int>();
    if (vm.count("reference-images")) {
      f.reference_images = vm["reference-images"].as<std::int64_t>();
      if (f.reference_images < 0) {
        throw po::error("--reference-images must be at least 0, got " + std::to_string(f.reference_images));
      }
    }
    if (f.threads < 0 || f.threads > 1024) throw po::error("--threads must be from 0 to 1024, got " + std::to_string(f.threads));
    // On a terminal (stdout and stderr), unless --quiet: samples done, their rate, the time left.
    if (!vm.count("quiet") && &out == &std::cout && &err == &std::cerr && ::isatty(STDOUT_FILENO) == 1 &&
        ::isatty(STDERR_FILENO) == 1) {
      f.progress = functional_progress(err);
    }
    run_options.functional = std::move(f);
  } else if (!vm["dataset"].defaulted() || !vm["limit"].defaulted() || vm.count("per-channel") ||
             !vm["threads"].defaulted() || vm.count("quiet") || vm.count("reference-images")) {
    throw po::error("--dataset, --limit, --per-channel, --threads, --reference-images and --quiet need --functional");
  }
  // The trace goes to a temporary file beside the target and replaces it only when the run
  // succeeded, so a failed run leaves no partial trace.
  std::optional<std::ofstream> trace;
  std::string trace_path, trace_temp;
  if (vm.count("dram-trace")) {
    trace_path = vm["dram-trace"].as<std::string>();
    trace_temp = trace_path + ".partial";
    // Whatever is at the temporary's name (a planted symbolic link) goes, not what it points to.
    std::error_code ignored;
    std::filesystem::remove(trace_temp, ignored);
    trace.emplace(trace_temp);
    if (!*trace) throw po::error("--dram-trace: cannot write " + trace_path);
    *trace << "# qarch run --arch " << vm["arch"].as<std::string>() << " --workload "
           << vm["workload"].as<std::string>() << "\n# arrival_ns op addr (64 B each)\n";
    run_options.dram_trace = &*trace;
  }
  report::NetworkResult result;
  try {
    result = eval::evaluate(arch, network, run_options);
    if (trace) {
      trace->close();
      if (!*trace) throw po::error("--dram-trace: cannot write " + trace_path);
      std::filesystem::rename(trace_temp, trace_path);
      err << "wrote " << trace_path << "\n";
    }
  } catch (...) {
    if (trace) std::filesystem::remove(trace_temp);
    throw;
  }
  write_result(vm, result, out, err);
  return 0;
}

}  // namespace qarch::cli
