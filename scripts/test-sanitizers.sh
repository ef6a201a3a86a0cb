#!/usr/bin/env bash
# Builds qarch with AddressSanitizer + UndefinedBehaviorSanitizer in build-asan/ and runs the
# unit tests under them (the sim and cli suites run in the main test run); then the threaded
# functional-mode tests under ThreadSanitizer (build-tsan/, the func tests only).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh qarch >/dev/null  # dependencies
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DQARCH_SANITIZE=ON >/dev/null
cmake --build build-asan -j"$(nproc)"
cd build-asan
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --output-on-failure -j"$(nproc)" -L unit "$@"
cd ..
cmake -S . -B build-tsan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DQARCH_SANITIZE_THREAD=ON >/dev/null
cmake --build build-tsan -j"$(nproc)" --target func_test
TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
  build-tsan/tests/unit/func/func_test --gtest_filter='FunctionalRun.EveryThreadCount*:FunctionalRun.ReportsProgress'
