#!/usr/bin/env bash
# Installs qarch's dependencies on Debian 12 and builds it (Release) in build/.
# Unattended and idempotent: apt runs only when a package is missing, and the build is
# incremental. Usage: scripts/setup.sh [cmake target...]   (default: everything)
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential cmake ninja-build pkg-config git
  libsystemc-dev libyaml-cpp-dev libboost-program-options-dev nlohmann-json3-dev libfmt-dev zlib1g-dev
  libhwy-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  dataset-fashion-mnist
  python3 python3-yaml python3-numpy python3-pandas python3-matplotlib python3-distributed python3-optuna
  python3-onnx python3-torch
  # torch and numpy multiply matrices through libblas.so.3: OpenBLAS instead of the reference
  # BLAS makes training scripts (and PyTorch baselines in benchmarks) about 10x faster
  libopenblas0-pthread
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

build_dir="${QARCH_BUILD_DIR:-build}"
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DQARCH_BUILD_TESTS=ON >/dev/null
if (($#)); then
  cmake --build "$build_dir" -j"$(nproc)" --target "$@"
else
  cmake --build "$build_dir" -j"$(nproc)"
fi
