#!/usr/bin/env bash
# demo.sh: bluejet's main job: builds the engine, the `bluejet` tool and the demo (Release), then
# shows what bluejet is for:
#  1. an embedded database under a multi-threaded write load; an online full backup, then an
#     incremental one, taken while the writers keep committing (ESE's external backup calls);
#     a restore of the chain into a new folder; the proof that the restored database holds
#     exactly what was committed up to the backup's end (an invariant: transfers between
#     accounts, per-writer sequence numbers) and passes `bluejet check`; a summary with sizes,
#     rates and the writers' throughput during each backup (demo/backup_demo.c);
#  2. the same backup folders proven by `bluejet backup verify` (chain checks, a scratch
#     restore, `bluejet check`), and restored to a point in time with `bluejet restore`;
#  3. ESE compatibility: Debian's esedbexport (an independent ESE reader) reads the restored
#     database, and a database written by Windows is read.
# Usage: scripts/demo.sh [--writers W] [--seconds S] [--mb N]   (defaults: 4 writers, 2 s, 64 MiB)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
"$here/scripts/deps.sh"
build=${BJ_BUILD_DIR:-$here/build}
cmake -S "$here" -B "$build" -DCMAKE_BUILD_TYPE=Release -DBJ_TESTS=OFF -DBJ_BENCH=OFF >/dev/null
cmake --build "$build" -j"$(nproc)" >/dev/null
tool="$build/tools/bluejet"
out=$(mktemp -d "${TMPDIR:-/tmp}/bluejet-demo.XXXXXX")

echo "== 1. writers, online backups, restore, verification ($out/demo)"
"$build/demo/bluejet_demo" --dir "$out/demo" --tool "$tool" --keep "$@"
echo

echo "== 2. bluejet backup verify $out/demo/backup-full $out/demo/backup-inc"
"$tool" backup verify "$out/demo/backup-full" "$out/demo/backup-inc" | grep -v '^  '
echo
# a point in time: the end of the full backup's last generation (inside the chain)
stop=$(sed -n 's/^gen_high //p' "$out/demo/backup-full/bluejet-backup.txt")
echo "== bluejet restore --stop-at $stop:0xFFFF:0 (everything up to the end of generation $stop)"
"$tool" restore --quiet --to "$out/pit" --stop-at "$stop:0xFFFF:0" \
    "$out/demo/backup-full" "$out/demo/backup-inc"
"$tool" check "$out/pit/demo.edb" | tail -n 1
echo

echo "== 3. Debian's esedbexport reads the restored database"
esedbexport -t "$out/export" "$out/demo/restored/demo.edb" >/dev/null
for t in accounts writers history; do
    printf '  %-9s %s rows\n' "$t" "$(($(wc -l <"$out"/export.export/$t.* ) - 1))"
done
db=$here/../shared/data/edb/Catalog1_rev14_4k.edb
if [ -f "$db" ]; then
    echo "== a database written by Windows: $(basename "$db")"
    "$tool" header "$db" | sed -n '1,12p'
    "$tool" export "$db" --out "$out/windows" >/dev/null
    ls "$out/windows" | head -n 8
fi
echo
echo "demo folder: $out"
