#!/bin/sh
# Fetch Debian bookworm's ppc64el Linux 6.1 kernel (the unstripped vmlinux
# inside linux-image-6.1.0-*-powerpc64le) into a cache and print the path of
# the vmlinux. Cached: a second run downloads nothing.
#   Cache: $FWNMI_CACHE (default ~/.cache/fwnmi-vmm)
# Uses apt-get with ppc64el as a foreign architecture (sudo when not root).
set -e
CACHE="${FWNMI_CACHE:-$HOME/.cache/fwnmi-vmm}"
mkdir -p "$CACHE"
if [ -f "$CACHE/vmlinux" ] && [ -f "$CACHE/vmlinux.version" ]; then
    echo "$CACHE/vmlinux"
    exit 0
fi
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO=sudo
if ! dpkg --print-foreign-architectures | grep -qx ppc64el; then
    echo "fetch-linux: adding the ppc64el foreign architecture" >&2
    $SUDO dpkg --add-architecture ppc64el
    $SUDO apt-get update -qq >&2
fi
# The newest linux-image-6.1.0-N-powerpc64le the archive offers.
pkg=$(apt-cache search --names-only '^linux-image-6\.1\.0-[0-9]+-powerpc64le$' 2>/dev/null |
      awk '{print $1}' | sort -t- -k4,4n | tail -1)
if [ -z "$pkg" ]; then
    $SUDO apt-get update -qq >&2
    pkg=$(apt-cache search --names-only '^linux-image-6\.1\.0-[0-9]+-powerpc64le$' |
          awk '{print $1}' | sort -t- -k4,4n | tail -1)
fi
[ -n "$pkg" ] || { echo "fetch-linux: no linux-image-6.1.0-*-powerpc64le in the archive" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "fetch-linux: downloading $pkg:ppc64el (about 50 MB), once; cached in $CACHE" >&2
( cd "$tmp" && apt-get download -q "$pkg:ppc64el" >"$tmp/apt.log" 2>&1; echo $? >"$tmp/apt.rc" ) &
# A progress line while it downloads (seconds, and MB once apt has
# written them), rewritten in place.
secs=0
while [ ! -f "$tmp/apt.rc" ]; do
    sz=$(du -sk "$tmp" 2>/dev/null | awk '{printf "%.1f", $1 / 1024}')
    printf '\rfetch-linux: downloading ... %d s, %s MB ' "$secs" "$sz" >&2
    sleep 1
    secs=$((secs + 1))
done
sz=$(du -sk "$tmp" 2>/dev/null | awk '{printf "%.1f", $1 / 1024}')
printf '\rfetch-linux: downloaded %s MB in %d s          \n' "$sz" "$secs" >&2
wait
if [ "$(cat "$tmp/apt.rc")" != 0 ]; then
    cat "$tmp/apt.log" >&2
    echo "fetch-linux: apt-get download $pkg:ppc64el failed" >&2
    exit 1
fi
deb=$(ls "$tmp"/*.deb)
dpkg-deb -x "$deb" "$tmp/x"
vml=$(ls "$tmp"/x/boot/vmlinux-* | head -1)
[ -f "$vml" ] || { echo "fetch-linux: no vmlinux in $deb" >&2; exit 1; }
cp "$vml" "$CACHE/vmlinux.new" && mv "$CACHE/vmlinux.new" "$CACHE/vmlinux"
basename "$vml" | sed 's/^vmlinux-//' > "$CACHE/vmlinux.version"
echo "fetch-linux: cached $(cat "$CACHE/vmlinux.version") in $CACHE/vmlinux" >&2
echo "$CACHE/vmlinux"
