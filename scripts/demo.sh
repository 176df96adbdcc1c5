#!/bin/sh
# Set everything up and run the main job: Debian's Linux 6.1 boots on this
# VMM with the project's test init and handles machine checks injected from
# QMP through FWNMI (a memory error in a running process, an SLB multihit),
# printing its own MCE lines (scripts/demo-linux.py).
#
#   scripts/demo.sh [--kernel VMLINUX] [--initrd CPIO] [--append TEXT] [--smp N] [--all]
#   scripts/demo.sh bare [le|be]      the bundled bare-metal demo guest
#
# The kernel is --kernel, else $LINUX_VMLINUX, else Debian's (fetched once
# by scripts/fetch-linux.sh into ~/.cache/fwnmi-vmm).
set -e
cd "$(dirname "$0")/.."
scripts/install-deps.sh
[ -f build/build.ninja ] || meson setup build >/dev/null
ninja -C build >/dev/null
if [ "${1:-}" = bare ]; then
    ENDIAN="${2:-le}"
    exec build/qemu-system-ppc64 -M pseries,cap-fwnmi=on -smp 2 -m 512M -nographic \
        -kernel "build/tests/guest/demo-$ENDIAN.elf"
fi
kernel="${LINUX_VMLINUX:-}"
for a in "$@"; do
    case "$prev" in --kernel) kernel="$a" ;; esac
    prev="$a"
done
if [ -z "$kernel" ]; then
    kernel=$(scripts/fetch-linux.sh)
fi
set -- --kernel "$kernel" "$@"
exec python3 scripts/demo-linux.py --vmm build/qemu-system-ppc64 \
    --test-initrd build/tests/linux/linux-test-initramfs.cpio "$@"
