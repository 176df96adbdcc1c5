#!/usr/bin/env python3
"""Whole-VM benchmarks with real guests on the software CPU.

- demo: process start to the recovered machine check and power-off
  (target < 50 ms), median of 10 runs per endianness;
- storm: the mce-smp guest with 8 vCPU threads x 1000 machine checks,
  each delivered through FWNMI, logged, checked by the guest, interlocked
  and recovered; rate = machine checks / (run time - boot time of the
  same guest with 1 machine check per vCPU), median of 5.

usage: bench-guests.py BUILD_DIR"""
import statistics
import subprocess
import sys
import time


def run(cmd, expect):
    t0 = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, timeout=60)
    elapsed = time.perf_counter() - t0
    if out.returncode != 0 or expect not in out.stdout:
        sys.exit(f"{' '.join(cmd)}: failed (exit {out.returncode})\n{out.stderr.decode()}")
    return elapsed


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else "build"
    vmm = f"{build}/qemu-system-ppc64"
    for e in ("le", "be"):
        cmd = [vmm, "-M", "pseries,cap-fwnmi=on", "-smp", "2", "-m", "512M", "-nographic",
               "-kernel", f"{build}/tests/guest/demo-{e}.elf"]
        t = statistics.median(run(cmd, b"machine check recovered") for _ in range(10))
        print(f"demo-{e}: {t * 1000:.1f} ms from start to recovered machine check and "
              f"power-off (median of 10; target < 50 ms)")
    for cpus, count in ((8, 1000), (2, 4000)):
        base = [vmm, "-M", "pseries", "-smp", str(cpus), "-m", "512M", "-nographic",
                "-kernel", f"{build}/tests/guest/mce-smp-le.elf", "-append"]
        boot = statistics.median(run(base + ["count=1 hold=0"], b"all recovered") for _ in range(5))
        full = statistics.median(run(base + [f"count={count} hold=0"], b"all recovered")
                                 for _ in range(5))
        total = cpus * count
        print(f"storm-guest: {cpus} vCPUs x {count}: {total} machine checks in "
              f"{(full - boot) * 1000:.0f} ms = {total / (full - boot):.0f} per second "
              f"(guest handler included; all verified by the guest)")


if __name__ == "__main__":
    main()
