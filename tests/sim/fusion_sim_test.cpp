// Fusion and resident weights in the simulator: the DMA moves exactly the bytes the mappings
// keep going through DRAM (mapping/fusion.hpp), in both engines, and the layers that no longer
// load or store stall less.

#include <gtest/gtest.h>

#include "config/document.hpp"
#include "mapping/mapping.hpp"
#include "sim_helpers.hpp"
#include "workload/network.hpp"

namespace qarch::sim {
namespace {

TEST(FusionSim, DroppedTransfersLeaveTheDmaAndTheStalls) {
  auto off = testing::make_arch(4, 4, arch::Dataflow::WeightStationary, false);
  off.memory.dram.channels = 1;  // slow DRAM: traffic shows as stalls
  off.memory.fuse_layers = false;
  off.memory.weights_resident = arch::WeightResidency::Streamed;
  auto on = off;
  on.memory.fuse_layers = true;
  on.memory.weights_resident = arch::WeightResidency::Resident;
  // conv -> relu -> pool -> fc: conv, relu and pool outputs stay on chip, no weight loads.
  workload::Layer relu;
  relu.name = "relu";
  relu.type = workload::LayerType::Activation;
  relu.function = "relu";
  relu.input = relu.output = {4, 8, 8};
  auto net = testing::network_of({testing::conv_layer("conv", 10, 10, 3, 3, 2, 4, 1), relu,
                                  testing::pool_layer("pool", 4, 8, 8, 2, 2),
                                  testing::fc_layer("fc", 4 * 4 * 4, 10)});
  net.layers[0].inputs = {"input"};
  for (std::size_t i = 1; i < net.layers.size(); ++i) net.layers[i].inputs = {net.layers[i - 1].name};
  const auto r = simulate_jobs({Job{off, net, Engine::Fast}, Job{on, net, Engine::Fast},
                                Job{on, net, Engine::Reference}});
  const auto m_off = mapping::map_network(off, net);
  const auto m_on = mapping::map_network(on, net);
  for (std::size_t i = 0; i < net.layers.size(); ++i) {
    SCOPED_TRACE(net.layers[i].name);
    EXPECT_EQ(r[0][i].dram_read_bytes, m_off[i].dram_read_bytes);
    EXPECT_EQ(r[0][i].dram_write_bytes, m_off[i].dram_write_bytes);
    EXPECT_EQ(r[1][i].dram_read_bytes, m_on[i].dram_read_bytes);
    EXPECT_EQ(r[1][i].dram_write_bytes, m_on[i].dram_write_bytes);
    EXPECT_EQ(r[1][i].total_cycles, r[2][i].total_cycles);  // both engines agree
    EXPECT_EQ(r[1][i].dram_read_bytes, r[2][i].dram_read_bytes);
    EXPECT_EQ(r[1][i].compute_cycles, r[0][i].compute_cycles);
    EXPECT_LE(r[1][i].stall_cycles, r[0][i].stall_cycles);
  }
  // conv reads only its input (weights resident), writes nothing; relu and pool touch no DRAM;
  // fc reads nothing (pool's 64 B handed off, weights resident) and writes its 10 outputs.
  EXPECT_EQ(r[1][0].dram_read_bytes, 2 * 10 * 10);
  EXPECT_EQ(r[1][0].dram_write_bytes, 0);
  for (std::size_t i : {1u, 2u}) {
    EXPECT_EQ(r[1][i].dram_read_bytes + r[1][i].dram_write_bytes, 0);
    EXPECT_EQ(r[1][i].stall_cycles, 0);
  }
  EXPECT_EQ(r[1][3].dram_read_bytes, 0);
  EXPECT_EQ(r[1][3].dram_write_bytes, 10);
  EXPECT_GT(r[0][1].stall_cycles, 0);  // relu waited for DRAM when its input came from there
}

}  // namespace
}  // namespace qarch::sim
