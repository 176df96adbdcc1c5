#!/bin/sh
# Set everything up and run all tests: the normal build, then the same
# suite under ASan+UBSan. Ends with "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
scripts/install-deps.sh || { echo "0 passed, 1 failed"; exit 1; }

status=0
run_suite() {   # $1 build dir, remaining: meson setup options
    dir=$1; shift
    if [ ! -f "$dir/build.ninja" ]; then
        meson setup "$dir" "$@" >"$dir.setup.log" 2>&1 || { cat "$dir.setup.log"; status=1; return; }
    fi
    ninja -C "$dir" || { status=1; return; }
    meson test -C "$dir" --print-errorlogs --num-processes 2 || status=1
}

run_suite build
run_suite build-sanitize -Db_sanitize=address,undefined -Db_lundef=false

python3 scripts/count-results.py build build-sanitize
exit $status
