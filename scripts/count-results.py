#!/usr/bin/env python3
"""Sum meson test results over build directories: print 'N passed, N failed'.

Counts each test program once per build (TAP subtests are reported by
meson itself in the logs above). A build whose tests never ran counts as
one failure, so a broken build can never look green."""
import json
import os
import sys

passed = failed = skipped = 0
for build in sys.argv[1:]:
    log = os.path.join(build, "meson-logs", "testlog.json")
    if not os.path.exists(log):
        failed += 1
        continue
    with open(log) as f:
        for line in f:
            result = json.loads(line).get("result")
            if result in ("OK", "EXPECTEDFAIL"):
                passed += 1
            elif result == "SKIP":
                skipped += 1
            else:
                failed += 1
print(f"{passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
