#!/bin/sh
# Build and run every benchmark; each prints its figures and targets.
set -e
cd "$(dirname "$0")/.."
scripts/install-deps.sh
[ -f build/build.ninja ] || meson setup build >/dev/null
ninja -C build >/dev/null
python3 bench/bench-startup.py build/qemu-system-ppc64 20
build/bench/bench-mce
for b in build/bench/bench-cpu; do [ -x "$b" ] && "$b"; done
python3 bench/bench-guests.py build
exit 0
