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
# Optional: Linux 6.1 boot to the test init, against QEMU 7.2, and machine
# checks with Linux's handler in the loop (BENCH_LINUX=1; fetches the kernel
# with scripts/fetch-linux.sh).
if [ "${BENCH_LINUX:-0}" = 1 ]; then
    LINUX_VMLINUX=$(scripts/fetch-linux.sh) && export LINUX_VMLINUX &&
        python3 bench/linux-boot.py build || echo "linux-boot: failed"
    LINUX_VMLINUX=$(scripts/fetch-linux.sh) && export LINUX_VMLINUX &&
        python3 bench/linux-mce.py build || echo "linux-mce: failed"
fi
# Optional: live migration of a 1 GiB guest, idle and writing (BENCH_MIGRATION=1).
if [ "${BENCH_MIGRATION:-0}" = 1 ]; then
    python3 bench/migrate-bench.py build || echo "migrate-bench: failed"
    # an idle Linux 6.1 guest at -m 1G (the kernel from scripts/fetch-linux.sh)
    LINUX_VMLINUX=$(scripts/fetch-linux.sh) && export LINUX_VMLINUX &&
        python3 bench/linux-migrate.py build || echo "linux-migrate: failed"
fi
exit 0
