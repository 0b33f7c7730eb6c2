#!/usr/bin/env bash
# test.sh: builds bluejet with AddressSanitizer + UndefinedBehaviorSanitizer and runs every test
# suite except the long `stress` label. Usage: scripts/test.sh [extra ctest args]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
"$here/scripts/deps.sh"
# The Release configuration (what scripts/demo.sh builds) must compile warning-free too:
# optimisation finds warnings (e.g. maybe-uninitialized) the sanitizer build does not.
rel=${BJ_RELEASE_DIR:-$here/build-release-check}
cmake -S "$here" -B "$rel" -DCMAKE_BUILD_TYPE=Release -DBJ_TESTS=OFF >/dev/null
cmake --build "$rel" -j"$(nproc)"
build=${BJ_BUILD_DIR:-$here/build-asan}
cmake -S "$here" -B "$build" -DBJ_SANITIZE=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j"$(nproc)"
cd "$build"
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} ctest --output-on-failure -LE stress "$@"
