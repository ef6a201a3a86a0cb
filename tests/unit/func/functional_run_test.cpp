// End-to-end functional runs on the shipped Fashion-MNIST models.

#include <gtest/gtest.h>

#include <cmath>

#include "func/functional_run.hpp"
#include "func_test_support.hpp"

namespace qarch::func {
namespace {

TEST(FunctionalRun, Smoke) {
  const workload::Network net = workload::load_network(testing::fashion_workload("lenet5"));
  FunctionalOptions o;
  o.limit = 200;
  for (const auto& cfg : std::vector<std::vector<std::string>>{{"fp32", "fp32", "fp32"}, {"int8", "int8", "int32"}}) {
    const FunctionalResult r = run_functional(testing::func_arch(cfg[0], cfg[1], cfg[2]), net, o);
    std::printf("%s top1 %.4f ref %.4f\n", cfg[0].c_str(), r.top1, r.reference_top1);
    for (const auto& s : r.layers) {
      std::printf("  %-6s macs %lld zw %lld za %lld z %lld sat %lld ovf %lld sqnr %.2f ws %g as %g %s\n", s.name.c_str(),
                  static_cast<long long>(s.macs), static_cast<long long>(s.zero_weight_operands), static_cast<long long>(s.zero_activation_operands),
                  static_cast<long long>(s.zero_operand_macs), static_cast<long long>(s.saturated_values), static_cast<long long>(s.overflowed_accumulations),
                  s.sqnr_db, s.weight_scale, s.activation_scale, s.accumulation_order.c_str());
    }
  }
}

}  // namespace
}  // namespace qarch::func
