#!/usr/bin/env bash
# Fresh machine to a full test run: installs what is missing, builds everything (Release) and
# runs the whole suite with ctest. Extra arguments go to ctest (e.g. -L unit).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cd "${QARCH_BUILD_DIR:-build}"
ctest --output-on-failure -j"$(nproc)" "$@"
