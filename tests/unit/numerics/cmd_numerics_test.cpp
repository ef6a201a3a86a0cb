#include "cli/cmd_numerics.hpp"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

namespace qarch::cli {
namespace {

struct Result {
  int code;
  std::string out;
  std::string err;
};

Result quantize(const std::vector<std::string>& args, const std::string& input = "") {
  std::istringstream in(input);
  std::ostringstream out;
  std::ostringstream err;
  const int code = run_quantize(args, in, out, err);
  return {code, out.str(), err.str()};
}

Result dot(const std::vector<std::string>& args) {
  std::ostringstream out;
  std::ostringstream err;
  const int code = run_dot(args, out, err);
  return {code, out.str(), err.str()};
}

Result multiply(const std::vector<std::string>& args) {
  std::ostringstream out;
  std::ostringstream err;
  const int code = run_multiply(args, out, err);
  return {code, out.str(), err.str()};
}

TEST(CliQuantize, PrintsDecodedValues) {
  const Result r = quantize({"--format", "int8", "1.5", "2.5", "-300", "0.49"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "2\n2\n-128\n0\n");
  EXPECT_EQ(quantize({"--format", "fp16", "0.1"}).out, "0.0999755859375\n");
  EXPECT_EQ(quantize({"--format", "fp16", "1e6", "-1e6", "nan"}).out, "inf\n-inf\nnan\n");
  EXPECT_EQ(quantize({"--format", "fp8_e4m3", "1000"}).out, "448\n");
  EXPECT_EQ(quantize({"--format", "fp8_e4m3", "--overflow", "infinity", "1000"}).out, "nan\n");
  EXPECT_EQ(quantize({"--format", "posit<8,1>", "1e-9"}).out, "0.000244140625\n");
  EXPECT_EQ(quantize({"--format", "int8", "--rounding", "toward_zero", "1.9", "-1.9"}).out,
            "1\n-1\n");
  EXPECT_EQ(quantize({"--format", "int8", "--overflow", "wrap", "300"}).out, "44\n");
  EXPECT_EQ(quantize({"--format", "int8", "--scale", "0.5", "1.3"}).out, "1.5\n");
}

TEST(CliQuantize, ReadsStdinWhenNoValuesAreGiven) {
  const Result r = quantize({"--format", "uint4"}, "3.2\n 17\t-1\n");
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.out, "3\n15\n0\n");
}

TEST(CliQuantize, StochasticIsSeeded) {
  const std::vector<std::string> args = {"--format", "int8", "--rounding", "stochastic", "--seed",
                                         "5", "0.5", "0.5", "0.5", "0.5", "0.5", "0.5"};
  const Result a = quantize(args);
  EXPECT_EQ(a.code, 0);
  EXPECT_EQ(a.out, quantize(args).out);
  EXPECT_NE(a.out.find('0'), std::string::npos);
}

TEST(CliQuantize, UserErrorsAreOneLineAndExitTwo) {
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"--format", "int99", "1"},
           {"1"},
           {"--format", "int8", "abc"},
           {"--format", "int8", "--rounding", "up", "1"},
           {"--format", "fp16", "--overflow", "wrap", "1"},
           {"--format", "quire<8,1>", "1"},
           {"--format", "int8", "--bogus", "1"}}) {
    const Result r = quantize(args);
    EXPECT_EQ(r.code, 2) << args[0];
    EXPECT_EQ(r.err.rfind("error: ", 0), 0u) << r.err;
    EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << r.err;
    EXPECT_EQ(r.out, "");
  }
  EXPECT_EQ(quantize({"--help"}).code, 0);
  EXPECT_NE(quantize({"--help"}).out.find("--rounding"), std::string::npos);
}

// Block formats: values as consecutive blocks, the last one padded. Expected values by hand from
// the OCP rules: amax 6 -> E8M0 exponent 0 (floor(log2 6) - 2 = 0), elements on E2M1's grid.
TEST(CliQuantize, BlockFormatsQuantizeConsecutiveBlocks) {
  EXPECT_EQ(quantize({"--format", "mxfp4", "6", "0.25", "0.75", "2.5", "-5"}).out, "6\n0\n1\n2\n-4\n");
  EXPECT_EQ(quantize({"--format", "mxfp4_e2m1", "--rounding", "nearest_away", "6", "0.25", "0.75", "2.5", "-5"}).out,
            "6\n0.5\n1\n3\n-6\n");
  // Block size 2: each pair has its own scale (amax 1 -> exponent -2, amax 24 -> exponent 2).
  EXPECT_EQ(quantize({"--format", "mxfp4_e2m1_b2", "1", "0.3", "24", "3"}).out, "1\n0.25\n24\n4\n");
  // CEIL: the smallest exponent with amax <= 6 x 2^e: 7 -> e = 1, so 7 -> 8 (E2M1 4 x 2).
  EXPECT_EQ(quantize({"--format", "mxfp4", "--scale-rule", "ceil", "7"}).out, "8\n");
  EXPECT_EQ(quantize({"--format", "mxfp4", "--scale-rule", "floor", "7"}).out, "6\n");
  EXPECT_EQ(quantize({"--format", "mxfp8_e4m3", "1", "inf"}).out, "nan\nnan\n");  // a NaN block
  EXPECT_EQ(quantize({"--format", "int4_g32", "7", "-7", "3.5", "2.5"}).out, "7\n-7\n4\n2\n");  // scale 1, ties even
  EXPECT_EQ(quantize({"--format", "nvfp4", "2688", "1"}).out, "2688\n0\n");
  for (const auto& bad : std::vector<std::vector<std::string>>{
           {"--format", "mxfp4", "--rounding", "toward_zero", "1"},
           {"--format", "mxfp4", "--scale", "2", "1"},
           {"--format", "mxfp4", "--scale-rule", "round", "1"},
           {"--format", "nvfp4", "--scale-rule", "ceil", "1"},
           {"--format", "int8", "--scale-rule", "ceil", "1"}}) {
    const Result r = quantize(bad);
    EXPECT_EQ(r.code, 2) << bad[1] << " " << bad[2];
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(r.err.rfind("error: ", 0), 0u) << r.err;
  }
}

TEST(CliDot, BlockDotProductOfTwoMxVectors) {
  // 1 x 0.5 + 2 x 0.5 + 3 x -1 + 4 x 6, every value exact in its format.
  EXPECT_EQ(dot({"--a-format", "mxfp8_e4m3", "--b-format", "mxfp4", "--a", "1 2 3 4", "--b", "0.5 0.5 -1 6"}).out,
            "22.5\n");
  // Two blocks of 2: A's blocks get exponents 2^-7 (amax 2) and 2^-6 (amax 4), B's 2^-3 (amax 0.5) and 2^0 (amax 6).
  EXPECT_EQ(dot({"--a-format", "mxfp8_e4m3_b2", "--b-format", "mxfp4_e2m1_b2", "--a", "1 2 3 4", "--b", "0.5 0.5 -1 6",
                 "--blocks"}).out,
            "block 0: 2^-7 x 2^-3, sum 1.5\nblock 1: 2^-6 x 2^0, sum 21\n22.5\n");
  // Any block format on either side, a scalar on the other: mxfp4 holds 1..4 exactly (2^0).
  EXPECT_EQ(dot({"--a-format", "mxfp4", "--b-format", "int8", "--a", "1 2 3 4", "--b", "1 -2 3 100"}).out, "406\n");
  EXPECT_EQ(dot({"--a-format", "bf16", "--b-format", "int4_g32", "--a", "1 1 1 1", "--b", "7 -7 3.5 2.5"}).out,
            "6\n");  // group scale 1: 7, -7, 4 (tie to even), 2
  // NVFP4: tensor scale 2688 / 2688 = 1, block scale 2688 / 6 = 448 (E4M3), elements 6 and 3.
  EXPECT_EQ(dot({"--a-format", "nvfp4", "--b-format", "fp16", "--a", "2688 1344", "--b", "1 2", "--blocks"}).out,
            "block 0: 448 x 1, sum 5376\n5376\n");
  EXPECT_EQ(dot({"--a-format", "nvfp4", "--b-format", "nvfp4", "--a", "2688 1344", "--b", "2688 1344"}).out,
            "9031680\n");  // 2688^2 + 1344^2
  // A fixed-point accumulator saturates at (2^7 - 1) / 16.
  EXPECT_EQ(dot({"--a-format", "mxint8", "--b-format", "int8", "--a", "1 1", "--b", "100 100", "--accumulator",
                 "fixed8_4"}).out,
            "7.9375\n");
  EXPECT_EQ(dot({"--a-format", "mxfp4", "--b-format", "mxfp4", "--a", "1.25", "--b", "1", "--rounding",
                 "nearest_away"}).out,
            "1.5\n");  // 1.25 is a tie between E2M1's 1 and 1.5
  for (const auto& bad : std::vector<std::vector<std::string>>{
           {"--a-format", "nvfp4", "--b-format", "mxfp4", "--a", "1", "--b", "1"},
           {"--a-format", "int8", "--b-format", "fp16", "--a", "1", "--b", "1"},
           {"--a-format", "mxfp4", "--b-format", "fp32", "--a", "1", "--b", "1"},
           {"--a-format", "mxfp4", "--b-format", "posit8_1", "--a", "1", "--b", "1"},
           {"--a-format", "mxfp4", "--b-format", "int8", "--a", "1", "--b", "1", "--accumulator", "int32"},
           {"--a-format", "mxfp4", "--b-format", "int8", "--a", "1", "--b", "1", "--rounding", "toward_zero"},
           {"--a-format", "mxfp4", "--b-format", "mxfp4_e2m1_b16", "--a", "1", "--b", "1"},
           {"--a-format", "mxfp4", "--b-format", "mxfp4", "--a", "1 2", "--b", "1"}}) {
    const Result r = dot(bad);
    EXPECT_EQ(r.code, 2);
    EXPECT_EQ(r.err.rfind("error: ", 0), 0u) << r.err;
  }
}

TEST(CliMultiply, PrintsTheStylesProduct) {
  EXPECT_EQ(multiply({"--style", "exact", "--a-format", "int8", "--b-format", "int8", "3", "-3"}).out,
            "-9\n");
  EXPECT_EQ(multiply({"--style", "mitchell", "--a-format", "int8", "--b-format", "int8", "3", "3"}).out,
            "8\n");
  EXPECT_EQ(multiply({"--style", "plam", "--a-format", "posit<8,1>", "--b-format", "posit<8,1>",
                      "1.5", "1.5"})
                .out,
            "2\n");
  EXPECT_EQ(multiply({"--style", "shift_add", "--a-format", "pow2_4", "--b-format", "int8", "4",
                      "-5"})
                .out,
            "-20\n");
  EXPECT_EQ(multiply({"--style", "exact", "--a-format", "fp16", "--b-format", "fp16",
                      "--accumulator", "fp16", "300", "300"})
                .out,
            "inf\n");
  const Result bad =
      multiply({"--style", "shift_add", "--a-format", "int8", "--b-format", "int8", "1", "2"});
  EXPECT_EQ(bad.code, 2);
  EXPECT_EQ(bad.err,
            "error: shift_add needs power-of-two weights (pow2_B, ternary or binary), got int8\n");
  EXPECT_EQ(multiply({"--style", "exact", "--a-format", "int8", "--b-format", "int8", "1"}).code, 2);
}

TEST(CliFormats, ListsFormatsAndStyles) {
  std::ostringstream out;
  std::ostringstream err;
  EXPECT_EQ(run_formats({}, out, err), 0);
  const std::string text = out.str();
  for (const char* s : {"fp8_e4m3: OCP 8-bit float, 8 bits, range -448 .. 448", "posit<8,1>",
                        "int8: signed integer, 8 bits, range -128 .. 127", "mitchell_w<k>",
                        "plam", "quire<8,1>", "stochastic"}) {
    EXPECT_NE(text.find(s), std::string::npos) << s;
  }
  std::ostringstream one;
  EXPECT_EQ(run_formats({"fp16"}, one, err), 0);
  EXPECT_EQ(one.str().rfind("fp16: IEEE-style float, 16 bits, range -65504 .. 65504", 0), 0u)
      << one.str();
  std::ostringstream bad_err;
  EXPECT_EQ(run_formats({"fp17"}, one, bad_err), 2);
}

}  // namespace
}  // namespace qarch::cli
