#include "arch/arch_spec.hpp"
#include "arch/enum_names.hpp"

namespace qarch::arch {

std::string_view to_string(DramType type) { return name_in(kDramTypeNames, type); }

// Speed grades and timings (docs/config.md, "DRAM presets"):
// - DDR4-3200 AA (JESD79-4): one 64-bit channel, 3200 MT/s x 8 B = 25.6 GB/s; 22-22-22 at
//   1600 MHz = 13.75 ns each; 16 banks; 8 KiB page per rank of x8 devices; BL8 x 8 B = 64 B.
// - LPDDR4-3200 (JESD209-4): four 16-bit channels (x64 package), 25.6 GB/s; tRCD = tRPpb = 18 ns,
//   RL 28 nCK at 1600 MHz = 17.5 ns; 8 banks; 2 KiB page; BL16 x 2 B = 32 B.
// - HBM2 (JESD235A): one stack, 8 channels x 128 bit at 2 Gb/s = 256 GB/s; about 14 ns for
//   tRCD, tRP and CL; 16 banks per channel; 1 KiB page per pseudo channel; BL4 x 8 B = 32 B.
// latency_ns stands for the memory controller and PHY, in front of the device timing.
DramSpec dram_preset(DramType type) {
  switch (type) {
    case DramType::Ddr4: return DramSpec{type, 25.6, 20.0, 16, 8192, 64, 13.75, 13.75, 13.75};
    case DramType::Lpddr4: return DramSpec{type, 25.6, 25.0, 8, 2048, 32, 18.0, 18.0, 17.5};
    case DramType::Hbm2: return DramSpec{type, 256.0, 20.0, 16, 1024, 32, 14.0, 14.0, 14.0};
  }
  return DramSpec{};
}

}  // namespace qarch::arch
