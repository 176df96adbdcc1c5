#!/bin/sh
# Set everything up and run all tests: the normal build, the same suite
# under ASan+UBSan, the threaded parts (unit, guest, monitor and compat suites)
# under TSan, and a short run of every fuzz harness. Ends with
# "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
scripts/install-deps.sh || { echo "0 passed, 1 failed"; exit 1; }

status=0
# Every failing step says so, so a non-zero exit is never unexplained.
failed_steps=0
fail_step() {
    echo "scripts/test.sh: $1 failed" >&2
    status=1
    failed_steps=$((failed_steps + 1))
}
run_suite() {   # $1 build dir, $2 meson test arguments, rest: meson setup options
    dir=$1; test_args=$2; shift 2
    if [ ! -f "$dir/build.ninja" ]; then
        meson setup "$dir" "$@" >"$dir.setup.log" 2>&1 ||
            { cat "$dir.setup.log"; fail_step "meson setup $dir"; return; }
    fi
    ninja -C "$dir" || { fail_step "ninja -C $dir"; return; }
    # shellcheck disable=SC2086
    meson test -C "$dir" --print-errorlogs --num-processes 2 $test_args ||
        fail_step "meson test -C $dir"
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

run_suite build "--no-suite linux"
# One Linux boot at a time (each has up to 4 busy vCPU threads; CI has 2
# cores), logged apart (linuxlog.json) so that the count sees both runs.
meson test -C build --print-errorlogs --num-processes 1 --suite linux \
    --logbase linuxlog || fail_step "meson test -C build --suite linux"
# The whole VMM cross-compiled for powerpc64le with warnings as errors
# (the only build with target/ppc/kvm.c), and its kvm suite: the test
# guests under -accel kvm against the fake /dev/kvm, run by qemu-ppc64le.
run_suite build-ppc64le "--suite kvm" --cross-file scripts/cross/powerpc64le-linux-gnu.ini
run_suite build-asan "--no-suite linux" -Db_sanitize=address,undefined -Db_lundef=false
# glib recycles GSlice memory across threads inside uninstrumented code,
# which TSan misreads as races: make it use malloc.
export G_SLICE=always-malloc
export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1"
run_suite build-tsan "--suite unit --suite guest --suite monitor --suite compat" -Db_sanitize=thread

# Every libFuzzer harness for a short bounded run (ASan+UBSan, clang), each
# counted as one test: any crash or sanitizer report fails it.
FUZZ_SECONDS=${FUZZ_SECONDS:-20}
mkdir -p build-fuzz/meson-logs
rm -f build-fuzz/meson-logs/fuzzlog.json
for name in $(scripts/fuzz.sh list); do
    FUZZ_LOG=build-fuzz/meson-logs/fuzzlog.json scripts/fuzz.sh "$name" "$FUZZ_SECONDS" || fail_step "fuzz $name"
done

python3 scripts/count-results.py --failed-steps "$failed_steps" build build-ppc64le build-asan build-tsan build-fuzz
exit $status
