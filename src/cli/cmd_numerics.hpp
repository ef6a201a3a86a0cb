#pragma once
// The numerics subcommands: `qarch formats`, `qarch quantize`, `qarch multiply`.
// Each takes the arguments after its name, prints results to `out`, and on a user error prints
// one line starting with "error:" to `err` and returns 2 (0 on success, also for --help).

#include <iosfwd>
#include <string>
#include <vector>

namespace qarch::cli {

// qarch formats [FORMAT...]: every format (or the given ones) with range, precision and special
// values, then the multiplier styles, roundings and overflow modes.
int run_formats(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

// qarch quantize --format F [--rounding R] [--overflow M] [--seed N] [--scale S] [VALUE...]:
// the decoded value of each input after quantization, one per line in %.17g form (nan, inf,
// -inf as such); values are read from `in` (whitespace-separated) when none are given.
int run_quantize(const std::vector<std::string>& args, std::istream& in, std::ostream& out,
                 std::ostream& err);

// qarch multiply --style S --a-format F --b-format G [--accumulator ACC] A B: A (the weight)
// and B (the activation) are quantized to F and G, and the product the style computes is
// printed (%.17g); with --accumulator, the product after adding it to a zeroed accumulator.
int run_multiply(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

// qarch dot --a-format F --b-format G --a "V V ..." --b "V V ..." [--scale-rule R] [--rounding R]
// [--accumulator ACC] [--blocks]: the block dot product of the two vectors
// (numerics/block_dot.hpp), %.17g of the result in the accumulator (fp32 by default). Each side is
// a block format (quantized as consecutive blocks of float32 values) or, beside one, a scalar
// format (int8, fp16, bf16, fixed16_8, ...: each value rounded nearest even); --blocks also prints
// each block pair's scales and its exactly summed value, rounded once into the accumulator.
int run_dot(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace qarch::cli
