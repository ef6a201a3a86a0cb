#!/usr/bin/env bash
# Fuzzes every parser of user input with libFuzzer + AddressSanitizer + UBSan for a fixed time.
# Usage: scripts/fuzz.sh [seconds per target, default 60] [target...]
# Seeds come from the shipped configs, workloads and topologies. A crash is saved under
# build-fuzz/crashes/<target>/; copy it to tests/fuzz/regressions/<target>/ with the fix so the
# regression test (tests/fuzz/regression_test.cpp) replays it forever.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
shift || true
targets=("$@")
if ((${#targets[@]} == 0)); then
  targets=(arch_yaml workload_yaml scalesim_csv format_string set_override npy_file idx_file)
fi

scripts/setup.sh qarch >/dev/null
if ! command -v clang++ >/dev/null || ! dpkg-query -W libclang-rt-14-dev >/dev/null 2>&1; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq clang libclang-rt-14-dev
fi

build=build-fuzz
CXX=clang++ cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DQARCH_BUILD_FUZZERS=ON -DQARCH_SANITIZE=ON -DQARCH_WERROR=OFF >/dev/null
cmake --build "$build" -j"$(nproc)" --target "${targets[@]/#/fuzz_}"

seed() {  # seed <target> <files...>
  mkdir -p "$build/corpus/$1"
  shift_target="$1"; shift
  for f in "$@"; do [ -f "$f" ] && cp "$f" "$build/corpus/$shift_target/" ; done
  return 0
}
seed arch_yaml configs/*.yaml
seed workload_yaml workloads/*.yaml
seed scalesim_csv tests/data/scalesim-v2-resnet50/Resnet50.csv
seed npy_file workloads/fashion/weights/*.npy
mkdir -p "$build/corpus/idx_file"
head -c 4000 /usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz > "$build/corpus/idx_file/labels.gz" 2>/dev/null || true
zcat /usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz 2>/dev/null | head -c 4000 > "$build/corpus/idx_file/images" || true
mkdir -p "$build/corpus/format_string" "$build/corpus/set_override"
for f in int8 uint4 fixed16_8 fp16 bf16 fp32 'fp<5,10>' fp8_e4m3 fp8_e5m2 'posit<8,1>' pow2_4 binary ternary exact mitchell_w6 plam; do
  printf '%s' "$f" > "$build/corpus/format_string/$(printf '%s' "$f" | md5sum | cut -c1-8)"
done
printf 'pe_array.rows=32\nmemory.ideal=true' > "$build/corpus/set_override/seed1"
printf 'buffers.weight.size_kib=1.5' > "$build/corpus/set_override/seed2"

status=0
for t in "${targets[@]}"; do
  mkdir -p "$build/crashes/$t"
  echo "fuzz: $t for ${seconds}s"
  if ! "$build/tests/fuzz/fuzz_$t" "$build/corpus/$t" -max_total_time="$seconds" -max_len=4096 \
      -timeout=10 -rss_limit_mb=2048 -artifact_prefix="$build/crashes/$t/" -print_final_stats=1 \
      >"$build/fuzz_$t.log" 2>&1; then
    echo "fuzz: $t FOUND A PROBLEM (see $build/fuzz_$t.log and $build/crashes/$t/)"
    status=1
  else
    grep -E "stat::number_of_executed_units|cov:" "$build/fuzz_$t.log" | tail -1 || true
  fi
done
exit $status
