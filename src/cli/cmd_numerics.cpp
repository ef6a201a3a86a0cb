#include "cli/cmd_numerics.hpp"

#include <boost/program_options.hpp>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <sstream>

#include "numerics/block_dot.hpp"
#include "numerics/block_format.hpp"
#include "numerics/codec.hpp"
#include "numerics/format.hpp"
#include "numerics/mac.hpp"
#include "numerics/multiplier.hpp"
#include "numerics/rounding.hpp"

namespace qarch::cli {

namespace {

namespace po = boost::program_options;
namespace nm = qarch::numerics;

// A user error: printed as "error: <message>" with exit code 2.
struct UsageError {
  std::string message;
};

// Parses args; positional arguments go to "values". Short options are off so that negative
// numbers such as -1.5 are values, not options. Returns false if --help was printed.
bool parse(const std::string& synopsis, const po::options_description& options,
           const std::vector<std::string>& args, po::variables_map& vm, std::ostream& out) {
  po::options_description all;
  all.add(options);
  all.add_options()("values", po::value<std::vector<std::string>>());
  po::positional_options_description positional;
  positional.add("values", -1);
  try {
    po::store(po::command_line_parser(args)
                  .options(all)
                  .positional(positional)
                  .style(po::command_line_style::unix_style ^ po::command_line_style::allow_short)
                  .run(),
              vm);
    if (vm.count("help")) {
      out << "usage: " << synopsis << "\n" << options;
      return false;
    }
    po::notify(vm);
  } catch (const po::error& e) {
    throw UsageError{e.what()};
  }
  return true;
}

std::vector<std::string> values_of(const po::variables_map& vm) {
  return vm.count("values") ? vm["values"].as<std::vector<std::string>>() : std::vector<std::string>{};
}

double parse_number(const std::string& text) {
  const char* begin = text.c_str();
  char* end = nullptr;
  const double v = std::strtod(begin, &end);
  if (text.empty() || end != begin + text.size()) {
    throw UsageError{"'" + text + "' is not a number"};
  }
  return v;
}

std::string format_number(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v < 0 ? "-inf" : "inf";
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.17g", v);
  return buffer;
}

template <typename Body>
int guarded(std::ostream& err, Body body) {
  try {
    return body();
  } catch (const UsageError& e) {
    err << "error: " << e.message << "\n";
  } catch (const nm::FormatError& e) {
    err << "error: " << e.what() << "\n";
  }
  return 2;
}

std::string kind_name(const nm::Format& f) {
  switch (f.kind()) {
    case nm::FormatKind::Int: return "signed integer";
    case nm::FormatKind::UInt: return "unsigned integer";
    case nm::FormatKind::Fixed: return "fixed point";
    case nm::FormatKind::Float: return f.is_ocp_e4m3() ? "OCP 8-bit float" : "IEEE-style float";
    case nm::FormatKind::Posit: return "posit";
    case nm::FormatKind::Pow2: return "power of two";
    case nm::FormatKind::Binary: return "binary";
    case nm::FormatKind::Ternary: return "ternary";
    case nm::FormatKind::Quire: return "quire";
  }
  return "?";
}

std::string precision_of(const nm::Format& f) {
  switch (f.kind()) {
    case nm::FormatKind::Int:
    case nm::FormatKind::UInt: return "step 1";
    case nm::FormatKind::Fixed: return "step 2^-" + std::to_string(f.fraction_bits());
    case nm::FormatKind::Float:
      return std::to_string(f.mantissa_bits() + 1) + " significand bits";
    case nm::FormatKind::Posit: {
      const int bits = f.posit_bits() - 2 - f.posit_es();
      return "up to " + std::to_string(bits > 1 ? bits : 1) + " significand bits (near 1)";
    }
    case nm::FormatKind::Pow2: return "powers of two 1.." + format_number(nm::max_value(f));
    case nm::FormatKind::Binary: return "-1 or +1";
    case nm::FormatKind::Ternary: return "-1, 0 or +1";
    case nm::FormatKind::Quire: return "exact";
  }
  return "";
}

std::string specials_of(const nm::Format& f) {
  switch (f.kind()) {
    case nm::FormatKind::Float:
      return f.is_ocp_e4m3() ? "+-0, subnormals, NaN (S.1111.111), no infinities"
                             : "+-0, subnormals, +-inf, NaN";
    case nm::FormatKind::Posit: return "0, NaR (1 followed by zeros)";
    case nm::FormatKind::Pow2:
    case nm::FormatKind::Ternary: return "+-0";
    case nm::FormatKind::Quire: return "NaR";
    default: return "none";
  }
}

void describe(const nm::Format& f, std::ostream& out) {
  out << f.to_string() << ": " << kind_name(f) << ", " << f.bits() << " bits";
  if (f.is_storage_format()) {
    out << ", range " << format_number(nm::lowest_value(f)) << " .. "
        << format_number(nm::max_value(f)) << ", smallest positive "
        << format_number(nm::min_positive(f)) << ", " << precision_of(f) << ", special values: "
        << specials_of(f) << ", overflow " << nm::to_string(nm::default_overflow(f))
        << " by default\n";
  } else {
    out << " accumulator, adds products of posit<" << f.posit_bits() << "," << f.posit_es()
        << "> exactly and rounds once when read\n";
  }
}

void describe(const nm::BlockFormat& f, std::ostream& out) {
  out << f.to_string() << ": ";
  switch (f.kind) {
    case nm::BlockKind::Mx:
      out << "MX, " << (f.element == "int8" ? "int8 x 2^-6" : f.element) << " elements, one E8M0 scale per " << f.block;
      break;
    case nm::BlockKind::Nvfp4: out << "NVFP4, e2m1 elements, one e4m3 scale per 16 and an fp32 tensor scale"; break;
    case nm::BlockKind::GroupInt:
      out << "group-wise " << f.element << ", one " << (f.fp16_scale ? "fp16" : "fp32") << " scale per " << f.block;
      break;
  }
  out << ", " << f.bits_per_element() << " bits per element with scales";
  if (f.kind == nm::BlockKind::Mx) out << ", element max " << format_number(f.minifloat().max_norm);
  out << ", range +-" << format_number(f.max_value()) << "\n";
}

// A value as the float32 a tensor would hold.
float as_float32(double value) { return static_cast<float>(value); }

}  // namespace

int run_formats(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  return guarded(err, [&] {
    po::options_description options("options");
    options.add_options()("help", "print this help");
    po::variables_map vm;
    if (!parse("qarch formats [FORMAT...]", options, args, vm, out)) return 0;
    std::vector<std::string> names = values_of(vm);
    const bool everything = names.empty();
    if (everything) names = nm::format_examples();
    for (const std::string& name : names) {
      if (const auto block = nm::BlockFormat::parse(name)) {
        describe(*block, out);
      } else {
        describe(nm::Format::parse(name), out);
      }
    }
    if (everything) {
      out << "\nblock-scaled formats (MX block size: append _b<N>, e.g. mxfp4_e2m1_b16):\n";
      for (const std::string& name : nm::block_format_names()) describe(*nm::BlockFormat::parse(name), out);
    }
    if (!everything) return 0;
    out << "\nforms: " << nm::accepted_format_forms() << "\n";
    out << "\nmultiplier styles:\n"
        << "  exact          the exact product, rounded into the accumulator\n"
        << "  shift_add      pow2_B/ternary/binary weight x integer activation, as a shift\n"
        << "  xnor_popcount  binary x binary: XNOR of the sign bits, summed as 2 popcount - n\n"
        << "  mitchell       Mitchell's log multiplication on integer magnitudes or float "
           "significands (max error -11.1%)\n"
        << "  mitchell_w<k>  mitchell with both fractions truncated to k bits, e.g. mitchell_w6\n"
        << "  plam           posit multiplication with Mitchell's approximation of the fractions\n"
        << "roundings: nearest_even (default), toward_zero, stochastic (--seed)\n"
        << "overflow: saturate, wrap (intN, uintN, fixedN_F), infinity (floats)\n";
    return 0;
  });
}

int run_quantize(const std::vector<std::string>& args, std::istream& in, std::ostream& out,
                 std::ostream& err) {
  return guarded(err, [&] {
    po::options_description options("options");
    options.add_options()("help", "print this help")(
        "format", po::value<std::string>()->required(), "number format, e.g. int8, fp8_e4m3")(
        "rounding", po::value<std::string>()->default_value("nearest_even"),
        "nearest_even, toward_zero or stochastic")(
        "overflow", po::value<std::string>(), "saturate, wrap or infinity (default per format)")(
        "seed", po::value<std::uint64_t>()->default_value(0), "seed of stochastic rounding")(
        "scale", po::value<double>()->default_value(1.0), "value = scale x decode(code)")(
        "scale-rule", po::value<std::string>(), "block formats (MX): floor (default), ceil or rceil");
    po::variables_map vm;
    if (!parse("qarch quantize --format F [--rounding R] [--scale-rule floor|ceil|rceil] [VALUE...]", options,
               args, vm, out)) {
      return 0;
    }
    if (const auto block = nm::BlockFormat::parse(vm["format"].as<std::string>())) {
      // Consecutive blocks of float32 values; rounding nearest_even or nearest_away.
      for (const char* scalar_only : {"overflow", "seed"})
        if (vm.count(scalar_only) && !vm[scalar_only].defaulted())
          throw UsageError{std::string("--") + scalar_only + " does not apply to block format " + block->to_string()};
      if (!vm["scale"].defaulted()) throw UsageError{"--scale does not apply to block format " + block->to_string() + ": it has its own scales"};
      const auto tie = nm::parse_tie_rule(vm["rounding"].as<std::string>());
      if (!tie) {
        throw UsageError{"--rounding " + vm["rounding"].as<std::string>() + ": block formats round nearest_even or nearest_away"};
      }
      nm::ScaleRule rule = nm::ScaleRule::Floor;
      if (vm.count("scale-rule")) {
        const auto parsed = nm::parse_scale_rule(vm["scale-rule"].as<std::string>());
        if (!parsed) throw UsageError{"--scale-rule " + vm["scale-rule"].as<std::string>() + ": expected floor, ceil or rceil"};
        if (block->kind != nm::BlockKind::Mx) throw UsageError{"--scale-rule applies to MX formats, not " + block->to_string()};
        rule = *parsed;
      }
      std::vector<std::string> tokens = values_of(vm);
      if (tokens.empty()) {
        for (std::string token; in >> token;) tokens.push_back(token);
      }
      std::vector<float> values;
      for (const std::string& token : tokens) values.push_back(as_float32(parse_number(token)));
      std::ostringstream result;
      for (double v : nm::quantize_blocks(*block, values, rule, *tie)) result << format_number(v) << "\n";
      out << result.str();
      return 0;
    }
    if (vm.count("scale-rule")) throw UsageError{"--scale-rule applies to block formats (mxfp8_e4m3, ...)"};
    const nm::Format format = nm::Format::parse(vm["format"].as<std::string>());
    if (!format.is_storage_format()) {
      throw UsageError{format.to_string() + " is an accumulator format; quantize to posit<n,es>"};
    }
    const nm::Rounding rounding = nm::parse_rounding(vm["rounding"].as<std::string>());
    const nm::Overflow overflow = vm.count("overflow")
                                      ? nm::parse_overflow(vm["overflow"].as<std::string>())
                                      : nm::default_overflow(format);
    nm::check_overflow_mode(format, overflow);
    const double scale = vm["scale"].as<double>();
    if (!std::isfinite(scale) || scale == 0) throw UsageError{"--scale must be finite and non-zero"};
    nm::Rng rng(vm["seed"].as<std::uint64_t>());
    std::vector<std::string> tokens = values_of(vm);
    if (tokens.empty()) {
      for (std::string token; in >> token;) tokens.push_back(token);
    }
    std::ostringstream result;  // nothing is printed if a later value is bad
    for (const std::string& token : tokens) {
      const double value = parse_number(token);
      const nm::Encoded e = nm::encode(format, value / scale, rounding, overflow, &rng);
      result << format_number(scale * nm::decode(format, e.code)) << "\n";
    }
    out << result.str();
    return 0;
  });
}

int run_multiply(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  return guarded(err, [&] {
    po::options_description options("options");
    options.add_options()("help", "print this help")(
        "style", po::value<std::string>()->required(), "multiplier style, e.g. mitchell_w6")(
        "a-format", po::value<std::string>()->required(), "format of A (the weight)")(
        "b-format", po::value<std::string>()->required(), "format of B (the activation)")(
        "accumulator", po::value<std::string>(),
        "also add the product to a zeroed accumulator of this format and print that");
    po::variables_map vm;
    if (!parse("qarch multiply --style S --a-format F --b-format G [--accumulator ACC] A B",
               options, args, vm, out)) {
      return 0;
    }
    const std::vector<std::string> values = values_of(vm);
    if (values.size() != 2) {
      throw UsageError{"multiply takes two values A and B, got " + std::to_string(values.size())};
    }
    const nm::MultiplierStyle style = nm::MultiplierStyle::parse(vm["style"].as<std::string>());
    const nm::Format a_format = nm::Format::parse(vm["a-format"].as<std::string>());
    const nm::Format b_format = nm::Format::parse(vm["b-format"].as<std::string>());
    if (auto why = nm::check_operands(style, a_format, b_format)) throw UsageError{*why};
    const nm::Format accumulator = vm.count("accumulator")
                                       ? nm::Format::parse(vm["accumulator"].as<std::string>())
                                       : nm::Format::parse("fp32");
    const nm::Mac mac(style, a_format, b_format, accumulator);
    const std::uint32_t a = nm::quantize(a_format, parse_number(values[0]));
    const std::uint32_t b = nm::quantize(b_format, parse_number(values[1]));
    if (vm.count("accumulator")) {
      nm::Accumulator acc = mac.make_accumulator();
      mac.mac(acc, a, b);
      out << format_number(acc.value()) << "\n";
    } else {
      out << format_number(mac.product(a, b).to_double()) << "\n";
    }
    return 0;
  });
}

// One operand of `qarch dot`: a block format's blocks, or a scalar format's codes in blocks of
// the partner's size (quantized nearest even, as `qarch quantize` does).
// Block formats take float32 inputs (as `qarch quantize` does); scalars are rounded once from the double.
nm::BlockOperand dot_operand(const nm::Format& f, int block, const std::vector<double>& values, nm::ScaleRule rule,
                             nm::TieRule tie) {
  if (const auto bf = f.block_format()) {
    std::vector<float> floats;
    for (const double v : values) floats.push_back(as_float32(v));
    return nm::BlockOperand(*bf, nm::quantize_into_blocks(*bf, floats, rule, tie));
  }
  std::vector<std::uint32_t> codes;
  for (const double v : values) codes.push_back(nm::quantize(f, v));
  return nm::BlockOperand(f, block, codes.data(), codes.size());
}

// A block's scale as --blocks prints it: 2^e for MX, 1 for a scalar operand, else the value.
std::string scale_text(const nm::Format& f, const nm::BlockOperand& o, std::size_t k) {
  if (o.is_scalar()) return "1";
  if (f.block_format()->kind == nm::BlockKind::Mx) return "2^" + std::to_string(o.exponent(k));
  return format_number(o.nan(k) ? std::nan("") : o.scale(k));
}

int run_dot(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  return guarded(err, [&] {
    po::options_description options("options");
    options.add_options()("help", "print this help")(
        "a-format", po::value<std::string>()->required(),
        "format of A: a block format (mxfp8_e4m3, nvfp4, int4_g32, ...) or a scalar one (int8, fp16, bf16, ...)")(
        "b-format", po::value<std::string>()->required(), "format of B; at least one of A and B block-scaled")(
        "a", po::value<std::string>()->required(), "A's values, space-separated")(
        "b", po::value<std::string>()->required(), "B's values, as many as A's")(
        "scale-rule", po::value<std::string>()->default_value("floor"), "MX shared exponents: floor, ceil or rceil")(
        "rounding", po::value<std::string>()->default_value("nearest_even"),
        "block elements: nearest_even or nearest_away")(
        "accumulator", po::value<std::string>()->default_value("fp32"), "fp32, another float, or fixedN_F")(
        "blocks", "print every block pair too");
    po::variables_map vm;
    if (!parse("qarch dot --a-format F --b-format G --a \"V ...\" --b \"V ...\" [--scale-rule R] [--rounding R] "
               "[--accumulator ACC] [--blocks]",
               options, args, vm, out)) {
      return 0;
    }
    const nm::Format fa = nm::Format::parse(vm["a-format"].as<std::string>());
    const nm::Format fb = nm::Format::parse(vm["b-format"].as<std::string>());
    const nm::Format acc_format = nm::Format::parse(vm["accumulator"].as<std::string>());
    if (auto why = nm::check_mac(nm::MultiplierStyle::parse("block_dot"), fa, fb, acc_format)) throw UsageError{*why};
    const auto rule = nm::parse_scale_rule(vm["scale-rule"].as<std::string>());
    if (!rule) throw UsageError{"--scale-rule " + vm["scale-rule"].as<std::string>() + ": expected floor, ceil or rceil"};
    const auto tie = nm::parse_tie_rule(vm["rounding"].as<std::string>());
    if (!tie)
      throw UsageError{"--rounding " + vm["rounding"].as<std::string>() + ": expected nearest_even or nearest_away"};
    const auto values = [&](const char* key) {
      std::vector<double> v;
      std::istringstream in(vm[key].as<std::string>());
      for (std::string token; in >> token;) v.push_back(parse_number(token));
      return v;
    };
    const std::vector<double> a = values("a"), b = values("b");
    if (a.size() != b.size() || a.empty())
      throw UsageError{"--a and --b need the same number of values, got " + std::to_string(a.size()) + " and " +
                       std::to_string(b.size())};
    const int block = fa.is_block_scaled() ? fa.block_size() : fb.block_size();
    const nm::BlockOperand oa = dot_operand(fa, block, a, *rule, *tie);
    const nm::BlockOperand ob = dot_operand(fb, block, b, *rule, *tie);
    nm::BlockAccumulator acc(acc_format);
    std::ostringstream result;
    if (vm.count("blocks")) {
      for (std::size_t k = 0; k < oa.blocks(); ++k) {
        result << "block " << k << ": " << scale_text(fa, oa, k) << " x " << scale_text(fb, ob, k) << ", sum "
               << format_number(acc.round(nm::block_pair_exact(oa, k, ob, k))) << "\n";
      }
    }
    result << format_number(acc.dot(oa, 0, ob, 0, oa.blocks(), 0.0)) << "\n";
    out << result.str();
    return 0;
  });
}

}  // namespace qarch::cli
