#!/usr/bin/env bash
# demo.sh: bluejet's main job: builds the engine and the `bluejet` tool (Release), then shows it
# at work on a real database written by Windows: its header, an integrity pass over its pages,
# and every table exported to CSV through the esent.h API.
# Usage: scripts/demo.sh [DATABASE]   (default: ../shared/data/edb/Catalog1_rev14_4k.edb)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
"$here/scripts/deps.sh"
build=${BJ_BUILD_DIR:-$here/build}
cmake -S "$here" -B "$build" -DCMAKE_BUILD_TYPE=Release -DBJ_TESTS=OFF >/dev/null
cmake --build "$build" -j"$(nproc)" >/dev/null
tool="$build/tools/bluejet"
db=${1:-$here/../shared/data/edb/Catalog1_rev14_4k.edb}
out=$(mktemp -d "${TMPDIR:-/tmp}/bluejet-demo.XXXXXX")
echo "== bluejet header $db"
"$tool" header "$db" | sed -n '1,40p'
echo
echo "== bluejet pages (summary)"
"$tool" pages "$db" | tail -n 2 || true
echo
echo "== bluejet export -> $out"
"$tool" export "$db" --out "$out"
ls -l "$out"
