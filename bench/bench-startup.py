#!/usr/bin/env python3
"""Start-up and resident-memory benchmark.

Measures the time from spawning `qemu-system-ppc64 -M pseries -accel qtest
-qtest stdio -display none -nodefaults` to its first qtest reply (median
of N runs), for this project's binary and, when installed, Debian's QEMU
as the reference measured in the same run; and our resident memory right
after start with a 512 MiB guest (target: < 10 MB plus touched RAM).

usage: bench-startup.py OUR_BINARY [RUNS]"""
import os
import shutil
import statistics
import subprocess
import sys
import time

ARGS = ["-M", "pseries", "-m", "512M", "-accel", "qtest", "-qtest", "stdio",
        "-display", "none", "-nodefaults"]


# Debian's QEMU is built without the qtest accelerator: it serves -qtest
# on top of its default accelerator, which is what the reference measures.
REF_ARGS = ARGS[:4] + ARGS[6:]


def first_reply(binary, args=ARGS):
    t0 = time.perf_counter()
    p = subprocess.Popen([binary] + args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL)
    p.stdin.write(b"endianness\n")
    p.stdin.flush()
    line = p.stdout.readline()
    elapsed = time.perf_counter() - t0
    rss_kb = 0
    try:
        with open(f"/proc/{p.pid}/status") as f:
            for l in f:
                if l.startswith("VmRSS:"):
                    rss_kb = int(l.split()[1])
    except OSError:
        pass
    p.stdin.close()
    try:
        p.wait(timeout=2)
    except subprocess.TimeoutExpired:   # the reference does not quit on EOF
        p.kill()
        p.wait()
    if not line.startswith(b"OK"):
        raise SystemExit(f"{binary}: unexpected first reply {line!r}")
    return elapsed, rss_kb


def spawn_baseline():
    """The harness's own cost: spawn /bin/cat and read back one line."""
    t0 = time.perf_counter()
    p = subprocess.Popen(["/bin/cat"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    p.stdin.write(b"x\n")
    p.stdin.flush()
    p.stdout.readline()
    elapsed = time.perf_counter() - t0
    p.stdin.close()
    p.wait()
    return elapsed


def measure(binary, runs, args=ARGS):
    times, rss = [], []
    for _ in range(runs):
        t, r = first_reply(binary, args)
        times.append(t)
        rss.append(r)
    return statistics.median(times) * 1000, statistics.median(rss) / 1024


def main():
    ours = sys.argv[1]
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    ms, rss = measure(ours, runs)
    print(f"startup: ours {ms:.2f} ms to first qtest reply (median of {runs}; target <= 6 ms)")
    spawn = statistics.median(spawn_baseline() for _ in range(runs)) * 1000
    print(f"startup: of which spawning any process from this harness costs {spawn:.2f} ms "
          f"(/bin/cat echoing one line, same run)")
    print(f"rss: ours {rss:.1f} MB resident at start with a 512 MiB guest (target < 10 MB + touched RAM)")
    ref = shutil.which("qemu-system-ppc64", path="/usr/bin")
    if ref and os.path.realpath(ref) != os.path.realpath(ours):
        try:
            ref_ms, ref_rss = measure(ref, max(3, runs // 4), REF_ARGS)
            print(f"startup: Debian QEMU {ref_ms:.2f} ms (same run), ratio {ref_ms / ms:.1f}x; "
                  f"its RSS {ref_rss:.1f} MB")
        except Exception as e:  # reference is optional
            print(f"startup: reference QEMU not measured: {e}")
    else:
        print("startup: reference QEMU not installed (WITH_REFERENCE_QEMU=1 scripts/install-deps.sh)")


if __name__ == "__main__":
    main()
