#!/usr/bin/env bash
# demo.sh: bluejet's main job: builds the engine, the `bluejet` tool and the example program
# (Release), then shows both directions of ESE compatibility:
#  1. examples/hello.c writes a database through the esent.h API; `bluejet check` verifies it and
#     Debian's esedbexport (an independent ESE reader) reads its rows back;
#  2. a database written by Windows is read: its header, its pages and every table as CSV.
# Usage: scripts/demo.sh [WINDOWS_DATABASE]  (default: ../shared/data/edb/Catalog1_rev14_4k.edb)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
"$here/scripts/deps.sh"
build=${BJ_BUILD_DIR:-$here/build}
cmake -S "$here" -B "$build" -DCMAKE_BUILD_TYPE=Release -DBJ_TESTS=OFF -DBJ_BENCH=OFF >/dev/null
cmake --build "$build" -j"$(nproc)" >/dev/null
tool="$build/tools/bluejet"
out=$(mktemp -d "${TMPDIR:-/tmp}/bluejet-demo.XXXXXX")

echo "== 1. examples/hello.c writes a database through esent.h (in $out/hello)"
mkdir -p "$out/hello"
(cd "$out/hello" && "$build/example_hello")
echo
echo "== bluejet check hello.edb"
"$tool" check "$out/hello/hello.edb" | tail -n 1
echo
echo "== its transaction log (ESE's file names): bluejet logs --headers"
ls "$out/hello"
"$tool" logs --headers "$out/hello" | tail -n 4
echo
echo "== Debian's esedbexport reads it back"
esedbexport -t "$out/hello/export" "$out/hello/hello.edb" >/dev/null
cat "$out"/hello/export.export/Birds.*
echo

db=${1:-$here/../shared/data/edb/Catalog1_rev14_4k.edb}
echo "== 2. a database written by Windows: $db"
"$tool" header "$db" | sed -n '1,30p'
echo
echo "== bluejet pages (summary)"
"$tool" pages "$db" | tail -n 2 || true
echo
echo "== bluejet export -> $out/windows"
"$tool" export "$db" --out "$out/windows"
ls -l "$out/windows"
