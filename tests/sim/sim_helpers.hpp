#pragma once
// Helpers for the sim tests: networks from layers, field-by-field comparison of statistics.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sim/simulate.hpp"
#include "test_layers.hpp"

namespace qarch::testing {

inline workload::Network network_of(std::vector<workload::Layer> layers, const std::string& name = "net") {
  workload::Network net;
  net.name = name;
  net.layers = std::move(layers);
  return net;
}

// Every count and cycle figure must be identical.
inline void expect_same_stats(const sim::LayerStats& a, const sim::LayerStats& b) {
  EXPECT_EQ(a.total_cycles, b.total_cycles);
  EXPECT_EQ(a.compute_cycles, b.compute_cycles);
  EXPECT_EQ(a.stall_cycles, b.stall_cycles);
  EXPECT_EQ(a.sram_stall_cycles, b.sram_stall_cycles);
  EXPECT_EQ(a.folds, b.folds);
  EXPECT_EQ(a.macs, b.macs);
  EXPECT_EQ(a.input_reads_elements, b.input_reads_elements);
  EXPECT_EQ(a.weight_reads_elements, b.weight_reads_elements);
  EXPECT_EQ(a.output_writes_elements, b.output_writes_elements);
  EXPECT_EQ(a.psum_reads_elements, b.psum_reads_elements);
  for (auto [x, y] : {std::pair{&a.weight_buffer, &b.weight_buffer},
                      std::pair{&a.input_buffer, &b.input_buffer},
                      std::pair{&a.output_buffer, &b.output_buffer}}) {
    EXPECT_EQ(x->read_words, y->read_words);
    EXPECT_EQ(x->read_bits, y->read_bits);
    EXPECT_EQ(x->write_words, y->write_words);
    EXPECT_EQ(x->write_bits, y->write_bits);
  }
  EXPECT_EQ(a.dram_read_bytes, b.dram_read_bytes);
  EXPECT_EQ(a.dram_write_bytes, b.dram_write_bytes);
  EXPECT_EQ(a.dram_bursts, b.dram_bursts);
  EXPECT_EQ(a.dram_row_hits, b.dram_row_hits);
  EXPECT_EQ(a.dram_row_misses, b.dram_row_misses);
  EXPECT_DOUBLE_EQ(a.utilization, b.utilization);
}

}  // namespace qarch::testing
