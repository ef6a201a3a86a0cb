#!/usr/bin/env bash
# Timed runs of qarch run --phase (docs/llm.md, "Speed"): 128 decode steps of Llama-2-7B after a
# 128-token prompt on a 128x128 int8 array, and a GPT-2 small generation, on one core.
# Usage: bench/bench_llm.sh [path/to/qarch]   (default build/src/cli/qarch)
set -euo pipefail
cd "$(dirname "$0")/.."
qarch=${1:-build/src/cli/qarch}
time_run() {
  local label=$1; shift
  local start end
  start=$(date +%s%N)
  taskset -c 0 "$qarch" run "$@" --format json > /dev/null
  end=$(date +%s%N)
  printf '%-44s %4d ms\n' "$label" $(((end - start) / 1000000))
}
time_run "llama2_7b decode P=128 G=128, 128x128 int8" --arch configs/int8.yaml --set pe_array.rows=128 \
  --set pe_array.cols=128 --workload workloads/decoders/llama2_7b.yaml --phase decode --prompt-tokens 128 \
  --generate-tokens 128
time_run "llama2_7b decode P=128 G=1, 128x128 int8" --arch configs/int8.yaml --set pe_array.rows=128 \
  --set pe_array.cols=128 --workload workloads/decoders/llama2_7b.yaml --phase decode --prompt-tokens 128 \
  --generate-tokens 1
time_run "gpt2_small generate P=128 G=128, int8" --arch configs/int8.yaml \
  --workload workloads/decoders/gpt2_small.yaml --phase generate --prompt-tokens 128 --generate-tokens 128
