#pragma once
// The part of a NetworkResult known exactly from the design point and the network alone:
// shapes, formats, MACs and tensor bytes at the configured bit-widths.

#include "arch/arch_spec.hpp"
#include "report/network_result.hpp"
#include "workload/network.hpp"

namespace qarch::report {

// Bytes of `elements` values of `bits` each, packed: ceil(elements * bits / 8).
std::int64_t packed_bytes(std::int64_t elements, int bits);
// With a block-scaled format's scales: one scale per block of elements (mxfp4: 4.25 bits each).
std::int64_t packed_bytes(std::int64_t elements, const numerics::Format& format);

NetworkResult make_result(const arch::ArchSpec& arch, const workload::Network& network);

}  // namespace qarch::report
