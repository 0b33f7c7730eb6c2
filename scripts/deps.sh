#!/usr/bin/env bash
# deps.sh: installs the Debian packages bluejet builds, tests and benchmarks with (if missing).
set -euo pipefail
pkgs=(build-essential cmake pkg-config libicu-dev libsqlite3-dev liblmdb-dev libesedb-utils python3 valgrind)
missing=()
for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
fi
