#!/usr/bin/env bash
# Fresh machine to first report: installs what is missing, builds qarch (Release) and runs
# ResNet-50 on the int8 TPU-like design point, printing the per-layer table and the summary.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh qarch
exec build/src/cli/qarch run --arch configs/tpu-like.yaml --workload workloads/resnet50.yaml --out out/quickstart
