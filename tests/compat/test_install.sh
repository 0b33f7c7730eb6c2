#!/usr/bin/env bash
# test_install.sh: a user installs bluejet and builds a program against it. Configures a separate
# Release build (no sanitizers: an installed library must link into an ordinary program) in a
# scratch folder, installs it with `cmake --install --prefix`, asserts the installed files and
# the shared library's exports (Jet* only), then builds examples/hello.c with pkg-config against
# the shared library and, fully static, against libbluejet.a, and runs both.
# Usage: test_install.sh SOURCE_DIR   (exit 77: skipped, a tool is missing)
set -euo pipefail
# (No `cmd | grep -q` here: under pipefail, grep exiting early can fail the writer with SIGPIPE.)
src=$(cd "$1" && pwd)
for t in cc pkg-config cmake nm; do
    if ! command -v "$t" >/dev/null; then
        echo "SKIP: '$t' is not installed (scripts/deps.sh installs it)"
        exit 77
    fi
done
scratch=$(mktemp -d "${TMPDIR:-/tmp}/bjinstall.XXXXXX")
trap 'echo "scratch folder kept: $scratch"' ERR
build=$scratch/build
prefix=$scratch/prefix
fail() { echo "FAIL: $*"; echo "scratch folder kept: $scratch"; exit 1; }
t0=$(date +%s)

# The nested build must not inherit the sanitizer build's settings.
unset CFLAGS CPPFLAGS LDFLAGS MAKEFLAGS
if ! cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release -DBJ_SANITIZE=OFF -DBJ_TESTS=OFF \
        -DBJ_BENCH=OFF >"$scratch/configure.log" 2>&1; then
    cat "$scratch/configure.log"; fail "configure"
fi
cmake --build "$build" -j2 >"$scratch/build.log" 2>&1 || { tail -50 "$scratch/build.log"; fail "build"; }
t1=$(date +%s)
cmake --install "$build" --prefix "$prefix" >"$scratch/install.log" 2>&1 ||
    { cat "$scratch/install.log"; fail "install"; }

# The installed files.
[ -f "$prefix/include/esent.h" ] || fail "no include/esent.h"
[ -x "$prefix/bin/bluejet" ] || fail "no bin/bluejet"
archives=("$prefix"/lib*/libbluejet.a)
libdir=$(dirname "${archives[0]}")
[ -f "$libdir/libbluejet.a" ] || fail "no lib*/libbluejet.a"
for f in libbluejet.so libbluejet.so.0 pkgconfig/bluejet.pc; do
    [ -e "$libdir/$f" ] || fail "no $libdir/$f"
done
[ -n "$(ls "$libdir"/libbluejet.so.0.* 2>/dev/null)" ] || fail "no versioned libbluejet.so.0.*"
[[ $("$prefix/bin/bluejet" --version) == "bluejet "[0-9]* ]] || fail "bin/bluejet --version"

# The shared library exports the API and nothing else: Jet* (with the ANSI A aliases).
exports=$(nm -D --defined-only "$libdir/libbluejet.so" | awk '{print $3}')
others=$(printf '%s\n' "$exports" | grep -v '^Jet[A-Za-z0-9_]*$' || true)
[ -z "$others" ] || fail "non-API symbols exported: $(echo $others)"
for f in JetInit JetCreateInstance JetCreateTableColumnIndex JetSeek JetSetIndexRange \
         JetRetrieveColumn JetOpenTableA JetAttachDatabaseA; do
    [[ $'\n'$exports$'\n' == *$'\n'$f$'\n'* ]] || fail "$f is not exported"
done

# bluejet.pc names the installed prefix (not the configured one).
export PKG_CONFIG_PATH=$libdir/pkgconfig
[ "$(pkg-config --variable=prefix bluejet)" = "$prefix" ] ||
    fail "bluejet.pc prefix is $(pkg-config --variable=prefix bluejet), not $prefix"
pkg-config --exists --print-errors bluejet || fail "pkg-config bluejet"

# The README's commands: build against the shared library, run with LD_LIBRARY_PATH.
cd "$scratch"
# shellcheck disable=SC2046
cc "$src/examples/hello.c" -o hello $(pkg-config --cflags --libs bluejet) ||
    fail "cc hello.c \$(pkg-config --cflags --libs bluejet)"
[[ $(LD_LIBRARY_PATH=$libdir ldd ./hello) == *"$libdir/libbluejet.so.0"* ]] ||
    fail "hello is not linked to the installed libbluejet.so"
LD_LIBRARY_PATH=$libdir "$src/tests/compat/test_install_hello.sh" ./hello "$scratch/run-shared"

# Static: libbluejet.a plus ICU's static libraries and the C++ runtime, from bluejet.pc.
# shellcheck disable=SC2046
cc -static "$src/examples/hello.c" -o hello-static $(pkg-config --static --cflags --libs bluejet) \
    >"$scratch/static.log" 2>&1 || { cat "$scratch/static.log"; fail "static link"; }
if ldd ./hello-static >/dev/null 2>&1; then fail "hello-static is dynamic"; fi
"$src/tests/compat/test_install_hello.sh" ./hello-static "$scratch/run-static"

# The installed tool reads what the installed library wrote.
csv=$("$prefix/bin/bluejet" export "$scratch/run-static/hello.edb" Birds 2>/dev/null | tr -d '\r')
want=$'id,wingspan,name\n1,22,Robin\n2,42,Swift\n3,76,Kestrel\n4,175,Heron\n5,56,Magpie\n6,120,Buzzard'
[ "$csv" = "$want" ] || fail "bluejet export Birds printed: $csv"

t2=$(date +%s)
echo "PASS: library built in $((t1 - t0)) s, install + examples in $((t2 - t1)) s"
rm -rf "$scratch"
