#!/bin/sh
# scripts/fuzz.sh NAME SECONDS [libFuzzer options...]
#
# Build the libFuzzer harness tests/fuzz/fuzz-NAME.c (clang, ASan+UBSan,
# -fsanitize=fuzzer, in build-fuzz or $FUZZ_BUILD_DIR) and run it for
# SECONDS on a working corpus seeded from tests/fuzz/corpus/NAME, with
# tests/fuzz/NAME.dict. Crashes land in BUILD/fuzz-artifacts/NAME-*.
# Exit status: 0 when the run ended without a crash or sanitizer report.
# With FUZZ_LOG=FILE, one meson-style JSON result line is appended to FILE.
# NAME "list" prints the harnesses.
set -eu
cd "$(dirname "$0")/.."
[ $# -ge 1 ] || { echo "usage: $0 NAME|list SECONDS [libFuzzer options]" >&2; exit 2; }
name=$1
if [ "$name" = list ]; then
    ls tests/fuzz/fuzz-*.c | sed 's|.*/fuzz-||; s|\.c$||'
    exit 0
fi
[ $# -ge 2 ] || { echo "usage: $0 NAME SECONDS [libFuzzer options]" >&2; exit 2; }
secs=$2
shift 2
[ -f "tests/fuzz/fuzz-$name.c" ] || { echo "fuzz.sh: no harness tests/fuzz/fuzz-$name.c" >&2; exit 2; }
dir=${FUZZ_BUILD_DIR:-build-fuzz}

if [ ! -f "$dir/build.ninja" ]; then
    CC=clang meson setup "$dir" -Dfuzzing=true -Db_sanitize=address,undefined \
        -Db_lundef=false >"$dir.setup.log" 2>&1 || { cat "$dir.setup.log"; exit 1; }
fi
log_result() {  # $1 OK|FAIL, $2 seconds
    if [ -n "${FUZZ_LOG:-}" ]; then
        printf '{"name": "fuzz-%s", "result": "%s", "duration": %s}\n' \
            "$name" "$1" "$2" >>"$FUZZ_LOG"
    fi
}
# A harness that does not build is a failed run, with the compiler's words.
if ! ninja -C "$dir" "tests/fuzz/fuzz-$name" >"$dir/fuzz-$name.build.log" 2>&1; then
    echo "fuzz-$name: FAILED to build:"
    grep -E "error|FAILED" "$dir/fuzz-$name.build.log" | head -20
    log_result FAIL 0
    exit 1
fi

work="$dir/fuzz-corpus/$name"
mkdir -p "$work" "$dir/fuzz-artifacts"
dict=""
[ -f "tests/fuzz/$name.dict" ] && dict="-dict=tests/fuzz/$name.dict"
# Any UBSan finding is a failure; leaks are reported by ASan at exit.
export UBSAN_OPTIONS="halt_on_error=1:abort_on_error=1:print_stacktrace=1"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"
export LSAN_OPTIONS="suppressions=$(pwd)/tests/fuzz/lsan.supp"
# The suppression names a json-glib frame: glib has no frame pointers, so
# the harness that parses JSON needs the slow unwinder to see it.
[ "$name" = qmp ] && ASAN_OPTIONS="$ASAN_OPTIONS:fast_unwind_on_malloc=0"
export G_SLICE=always-malloc

start=$(date +%s)
status=0
# shellcheck disable=SC2086
"$dir/tests/fuzz/fuzz-$name" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$dir/fuzz-artifacts/$name-" $dict "$@" \
    "$work" "tests/fuzz/corpus/$name" >"$dir/fuzz-$name.log" 2>&1 || status=$?
end=$(date +%s)
grep -E "^stat::number_of_executed_units|^stat::new_units_added|^#[0-9]+ *DONE" \
    "$dir/fuzz-$name.log" | sed "s/^/fuzz-$name: /" || true
if [ $status -ne 0 ]; then
    echo "fuzz-$name: FAILED (status $status), see $dir/fuzz-$name.log:"
    grep -E "ERROR|SUMMARY|runtime error|Test unit written" "$dir/fuzz-$name.log" | head -20
fi
result=OK
[ $status -ne 0 ] && result=FAIL
log_result "$result" "$((end - start))"
exit $status
