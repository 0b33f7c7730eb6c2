#!/usr/bin/env bash
# test.sh: builds bluejet and runs its tests:
#  1. the Release configuration (what scripts/demo.sh builds) compiles warning-free, and its unit
#     suites run clean under valgrind memcheck (uninitialised reads, which ASan does not see);
#  2. the AddressSanitizer + UndefinedBehaviorSanitizer build runs every suite except the long
#     `stress` label.
# Usage: scripts/test.sh [extra ctest args]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
"$here/scripts/deps.sh"
export BJ_SHARED_DIR=${BJ_SHARED_DIR:-$(cd "$here/.." && pwd)/shared}

rel=${BJ_RELEASE_DIR:-$here/build-release-check}
cmake -S "$here" -B "$rel" -DCMAKE_BUILD_TYPE=Release -DBJ_BENCH=OFF >/dev/null
cmake --build "$rel" -j"$(nproc)"
echo "== unit suites under valgrind memcheck (Release build)"
vg_failed=0
for t in "$rel"/tests/unit_test_*; do
    case "$t" in *.log) continue ;; esac # a previous run's valgrind logs
    [ -x "$t" ] || continue
    if ! valgrind -q --error-exitcode=99 --leak-check=no "$t" >/dev/null 2>"$t.valgrind.log"; then
        echo "valgrind: $(basename "$t") FAILED (see $t.valgrind.log)"
        tail -n 30 "$t.valgrind.log"
        vg_failed=1
    fi
done
[ "$vg_failed" -eq 0 ] || exit 1
echo "valgrind: every unit suite clean"

build=${BJ_BUILD_DIR:-$here/build-asan}
cmake -S "$here" -B "$build" -DBJ_SANITIZE=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j"$(nproc)"
cd "$build"
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} ctest --output-on-failure -LE stress "$@"
