#!/usr/bin/env bash
# test_install_hello.sh: runs examples/hello (built any way: in the build tree, against an
# installed shared or static bluejet) in a fresh folder and asserts its exact output and the
# database file it leaves. Usage: test_install_hello.sh HELLO_BINARY WORK_FOLDER
set -euo pipefail
bin=$1
dir=$2
rm -rf "$dir"
mkdir -p "$dir"
expected='inserted 6 birds
id 3 is Kestrel
wingspan 40..130 cm:
  Swift      42 cm
  Magpie     56 cm
  Kestrel    76 cm
  Buzzard   120 cm
done'
if ! out=$("$bin" "$dir"); then
    printf 'FAIL: %s exited with an error; its output:\n%s\n' "$bin" "$out"
    exit 1
fi
if [ "$out" != "$expected" ]; then
    printf 'FAIL: %s printed:\n%s\n--- expected:\n%s\n' "$bin" "$out" "$expected"
    exit 1
fi
# The database is there, the temporary database is gone.
[ -s "$dir/hello.edb" ] || { echo "FAIL: no $dir/hello.edb"; exit 1; }
dbs=("$dir"/*.edb)
if [ "${#dbs[@]}" -ne 1 ]; then
    echo "FAIL: files left in $dir:"; ls -l "$dir"; exit 1
fi
# A missing folder is reported by name, with exit status 1 (and, under ASan, no leak).
rc=0
err=$("$bin" "$dir/no/such/folder" 2>&1) || rc=$?
if [ "$rc" -ne 1 ]; then
    printf 'FAIL: %s on a missing folder exited %d:\n%s\n' "$bin" "$rc" "$err"; exit 1
fi
case $err in
*JET_err*) ;;
*) printf 'FAIL: no JET error name in:\n%s\n' "$err"; exit 1 ;;
esac
echo "ok: $bin"
