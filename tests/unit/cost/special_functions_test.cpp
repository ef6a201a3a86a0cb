// The special-function unit's cost (docs/cost.md, "Special functions"): recipes by hand from the
// 45 nm coefficients, format orderings, and the bill of a layer that uses them.

#include <gtest/gtest.h>

#include "cost/cost_model.hpp"
#include "cost/special_functions.hpp"
#include "cost_test_support.hpp"
#include "workload/network.hpp"

namespace qarch::cost {
namespace {

using numerics::Format;

class SpecialFunctions : public ::testing::Test {
 protected:
  BlockCost per_read(const std::string& function, const std::string& format, std::int64_t row = 0) const {
    return special_function_cost(t_, *special_function_ops(function, row), Format::parse(format));
  }
  Technology t_ = load_technology(testing::models_dir(), "45nm");
};

// fp32: add 0.0375 x 24; multiply 0.00507 x 24^2 + 0.097 x 8; exp = 4 mul + 4 add + a 9-bit
// exponent adder. Softmax reads each element twice: 3 adds, 1 multiply and 1 exp per element.
TEST_F(SpecialFunctions, SoftmaxInFp32ByHand) {
  const double add = 0.0375 * 24, mul = 0.00507 * 576 + 0.097 * 8, exp = 4 * mul + 4 * add + 0.0067 + 0.0029 * 9;
  EXPECT_NEAR(sfu_exp(t_, Format::parse("fp32")).energy_pj, exp, 1e-12);
  EXPECT_NEAR(sfu_reciprocal(t_, Format::parse("fp32")).energy_pj, 4 * mul + 2 * add, 1e-12);
  EXPECT_NEAR(per_read("softmax", "fp32").energy_pj, (3 * add + mul + exp) / 2, 1e-12);
}

// Per-row work is shared by the row: softmax's reciprocal of the sum, a norm's rsqrt (two Newton
// steps x (3 - d x^2) / 2: 6 multiplies, 2 adds), each over the row's two reads per element.
TEST_F(SpecialFunctions, PerRowReciprocalAndRsqrtByHand) {
  const double add = 0.0375 * 24, mul = 0.00507 * 576 + 0.097 * 8;
  const double reciprocal = 4 * mul + 2 * add, rsqrt = 6 * mul + 2 * add;
  EXPECT_NEAR(sfu_rsqrt(t_, Format::parse("fp32")).energy_pj, rsqrt, 1e-12);
  EXPECT_NEAR(per_read("rmsnorm", "fp32", 64).energy_pj, (add + 3 * mul) / 2 + rsqrt / 128, 1e-12);
  EXPECT_NEAR(per_read("layernorm", "fp32", 768).energy_pj, (4 * add + 3 * mul) / 2 + rsqrt / 1536, 1e-12);
  EXPECT_NEAR(per_read("softmax", "fp32", 16).energy_pj - per_read("softmax", "fp32").energy_pj, reciprocal / 32, 1e-12);
  EXPECT_EQ(per_read("gelu", "fp32", 64).energy_pj, per_read("gelu", "fp32").energy_pj);  // no per-row work
}

TEST_F(SpecialFunctions, NarrowerFormatsCostLessAndPlainOpsAreNotSpecial) {
  for (const char* f : {"gelu", "silu", "softmax", "layernorm", "rmsnorm", "swiglu", "rope", "sigmoid", "tanh"}) {
    SCOPED_TRACE(f);
    EXPECT_GT(per_read(f, "fp32").energy_pj, per_read(f, "bf16").energy_pj);
    EXPECT_GT(per_read(f, "bf16").energy_pj, per_read(f, "int8").energy_pj);
  }
  // GELU (an exp, a reciprocal, 7 multiplies) costs more per element than SiLU.
  EXPECT_GT(per_read("gelu", "fp32").energy_pj, per_read("silu", "fp32").energy_pj);
  for (const char* f : {"relu", "relu6", ""}) EXPECT_FALSE(special_function_ops(f).has_value()) << f;
}

// A softmax layer of the BERT block: its vector ops are priced by the recipe in the arch's
// special_function_format, and the bill says so.
TEST_F(SpecialFunctions, ALayersBillUsesTheRecipeInTheConfiguredFormat) {
  const workload::Network net = workload::load_network(testing::workload_path("bert_base_block"));
  const workload::Layer* softmax = nullptr;
  for (const auto& l : net.layers)
    if (l.function == "softmax") softmax = &l;
  ASSERT_NE(softmax, nullptr);
  for (const char* format : {"fp32", "bf16"}) {
    arch::ArchSpec arch = testing::preset("int8");
    arch.pe_array.special_function_format = Format::parse(format);
    const CostModel model = make_cost_model(t_, arch);
    const LayerActions actions = actions_from(arch, *softmax);
    EXPECT_EQ(actions.vector_function, "softmax");
    EXPECT_EQ(actions.vector_row, softmax->output.c / softmax->heads);  // one head's keys
    for (const PricedAction& p : price(actions, model)) {
      if (p.component != "vector") continue;
      EXPECT_NEAR(p.pj_each, per_read("softmax", format, actions.vector_row).energy_pj, 1e-12) << format;
      EXPECT_NE(p.basis.find(std::string("in ") + format), std::string::npos) << p.basis;
    }
  }
}

}  // namespace
}  // namespace qarch::cost
