#!/bin/sh
# Install everything needed to build, test and benchmark on Debian bookworm.
# Idempotent: does nothing when all packages are present.
set -e
PKGS="build-essential meson ninja-build pkg-config python3 \
libglib2.0-dev zlib1g-dev libfdt-dev libjson-glib-dev device-tree-compiler \
gcc-powerpc64le-linux-gnu binutils-powerpc64le-linux-gnu clang"
# Reference QEMU (7.2) for the comparison benchmarks only; never linked.
[ "${WITH_REFERENCE_QEMU:-0}" = 1 ] && PKGS="$PKGS qemu-system-ppc qemu-system-data"

missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO=sudo
echo "install-deps: installing$missing"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
