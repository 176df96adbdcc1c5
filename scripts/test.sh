#!/bin/sh
# Set everything up and run all tests: the normal build, the same suite
# under ASan+UBSan, the threaded parts (unit, guest, monitor and compat suites)
# under TSan, and a short run of every fuzz harness. Ends with
# "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
scripts/install-deps.sh || { echo "0 passed, 1 failed"; exit 1; }

status=0
run_suite() {   # $1 build dir, $2 meson test arguments, rest: meson setup options
    dir=$1; test_args=$2; shift 2
    if [ ! -f "$dir/build.ninja" ]; then
        meson setup "$dir" "$@" >"$dir.setup.log" 2>&1 || { cat "$dir.setup.log"; status=1; return; }
    fi
    ninja -C "$dir" || { status=1; return; }
    # shellcheck disable=SC2086
    meson test -C "$dir" --print-errorlogs --num-processes 2 $test_args || status=1
}

# The Linux tests (suite "linux", tests/linux) boot Debian's ppc64el
# kernel: fetch it first (cached). A missing kernel makes them fail, not
# skip. They run in the plain build only: under the sanitizers every boot
# would take minutes.
if LINUX_VMLINUX=$(scripts/fetch-linux.sh); then
    export LINUX_VMLINUX
else
    echo "scripts/fetch-linux.sh failed: the linux suite will fail" >&2
fi

run_suite build ""
run_suite build-asan "--no-suite linux" -Db_sanitize=address,undefined -Db_lundef=false
# glib recycles GSlice memory across threads inside uninstrumented code,
# which TSan misreads as races: make it use malloc.
export G_SLICE=always-malloc
export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1"
run_suite build-tsan "--suite unit --suite guest --suite monitor --suite compat" -Db_sanitize=thread

# Every libFuzzer harness for a short bounded run (ASan+UBSan, clang), each
# counted as one test: any crash or sanitizer report fails it.
FUZZ_SECONDS=${FUZZ_SECONDS:-15}
mkdir -p build-fuzz/meson-logs
rm -f build-fuzz/meson-logs/fuzzlog.json
for name in $(scripts/fuzz.sh list); do
    FUZZ_LOG=build-fuzz/meson-logs/fuzzlog.json scripts/fuzz.sh "$name" "$FUZZ_SECONDS" || status=1
done

python3 scripts/count-results.py build build-asan build-tsan build-fuzz
exit $status
