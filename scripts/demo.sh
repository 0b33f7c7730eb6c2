#!/usr/bin/env bash
# demo.sh: bluejet's main job: builds the engine and the tool, then shows what it does.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
"$here/scripts/deps.sh"
build=${BJ_BUILD_DIR:-$here/build}
cmake -S "$here" -B "$build" -DCMAKE_BUILD_TYPE=Release -DBJ_TESTS=OFF >/dev/null
cmake --build "$build" -j"$(nproc)" >/dev/null
exec "$build/tools/bluejet" demo "$@"
