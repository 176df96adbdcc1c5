#!/bin/sh
# Set everything up and run the main job: the bundled demo guest registers
# FWNMI, takes a machine check, decodes the RTAS error log, interlocks and
# recovers.   Usage: scripts/demo.sh [le|be]
set -e
cd "$(dirname "$0")/.."
ENDIAN="${1:-le}"
scripts/install-deps.sh
[ -f build/build.ninja ] || meson setup build >/dev/null
ninja -C build >/dev/null
exec build/qemu-system-ppc64 -M pseries,cap-fwnmi=on -smp 2 -m 512M -nographic \
    -kernel "build/tests/guest/demo-$ENDIAN.elf"
