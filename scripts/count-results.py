#!/usr/bin/env python3
"""Sum meson test results over build directories: print 'N passed, N failed'.

Counts each test program once per build (TAP subtests are reported by
meson itself in the logs above), and each fuzz harness run (fuzzlog.json,
written by scripts/test.sh through scripts/fuzz.sh) once. A build whose tests never ran counts as
one failure, so a broken build can never look green. --failed-steps N
(scripts/test.sh's count of steps that exited non-zero) is a floor for
the failures: a step can fail without a failing test in the logs (meson
rejecting a test's TAP output, a build error), and the summary must then
not read "0 failed"."""
import json
import os
import sys

args = sys.argv[1:]
failed_steps = 0
if args[:1] == ["--failed-steps"]:
    failed_steps = int(args[1])
    args = args[2:]

passed = failed = skipped = 0
for build in args:
    # meson's test logs (linuxlog: the linux suite, run on its own), and
    # the fuzz runs of scripts/test.sh (one line per
    # harness run, same format: scripts/fuzz.sh with FUZZ_LOG).
    logs = [os.path.join(build, "meson-logs", name)
            for name in ("testlog.json", "linuxlog.json", "fuzzlog.json")]
    logs = [log for log in logs if os.path.exists(log)]
    if not logs:
        failed += 1
        continue
    for log in logs:
        with open(log) as f:
            for line in f:
                result = json.loads(line).get("result")
                if result in ("OK", "EXPECTEDFAIL"):
                    passed += 1
                elif result == "SKIP":
                    skipped += 1
                else:
                    failed += 1
failed = max(failed, failed_steps)
print(f"{passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
