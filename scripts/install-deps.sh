#!/bin/sh
# Install everything needed to build, test and benchmark on Debian bookworm.
# Idempotent: does nothing when all packages are present.
set -e
PKGS="build-essential meson ninja-build pkg-config python3 \
libglib2.0-dev libfdt-dev libjson-glib-dev zlib1g-dev device-tree-compiler \
gcc-powerpc64le-linux-gnu binutils-powerpc64le-linux-gnu clang \
qemu-user qemu-system-data"
# The powerpc64le build (KVM accelerator, suite kvm; scripts/test.sh):
# Debian multiarch ppc64el libraries and headers (<asm/kvm.h> for powerpc).
# libfdt-dev is not multi-arch: the host's headers and libfdt1:ppc64el
# (linked by path, scripts/cross/powerpc64le-linux-gnu.ini).
CROSS_PKGS="libglib2.0-dev:ppc64el libfdt1:ppc64el libjson-glib-dev:ppc64el \
zlib1g-dev:ppc64el linux-libc-dev:ppc64el"
PKGS="$PKGS $CROSS_PKGS"
# qemu-system-data: Debian's SLOF (/usr/share/qemu/slof.bin), the firmware
# -M pseries boots without -kernel (tests/firmware); only the data file.
# Reference QEMU (7.2) for the comparison benchmarks only; never linked.
[ "${WITH_REFERENCE_QEMU:-0}" = 1 ] && PKGS="$PKGS qemu-system-ppc"

missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO=sudo
echo "install-deps: installing$missing"
# Multiarch: ppc64el packages need the architecture known to dpkg first.
dpkg --print-foreign-architectures | grep -qx ppc64el ||
    $SUDO dpkg --add-architecture ppc64el
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
