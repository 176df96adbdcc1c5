#!/usr/bin/env python3
"""Machine checks with Linux's own handler in the loop.

    python3 bench/linux-mce.py BUILD_DIR [--count N] [--storm N]

Boots Debian's Linux 6.1 ($LINUX_VMLINUX or the scripts/fetch-linux.sh
cache) with the test init and reports, in host wall time:
  * latency: QMP x-inject-mce (a recovered SLB multihit, alternating over 2
    vCPUs, one at a time) -> Linux's "MCE: CPUn: machine check" line on the
    console (median, p90, p99, max over --count injections);
  * the same for a recovered memory error in the init's page
    (x-inject-memory-error -> the MCE line; includes the wait for the
    init's next read, which it does every 20 ms);
  * storm rate at -smp 4 with 3 busy workers: --storm multihits paced as in
    the test suite (tests/linux/test-mce.py: the next one for a vCPU once
    Linux printed the previous one), reported per second.
Figures only, no pass/fail.
"""

import argparse
import importlib.util
import os
import statistics
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, 'tests', 'linux'))
from linuxvm import LinuxVM  # noqa: E402

spec = importlib.util.spec_from_file_location('test_mce',
                                              os.path.join(ROOT, 'tests', 'linux', 'test-mce.py'))
test_mce = importlib.util.module_from_spec(spec)
spec.loader.exec_module(test_mce)


def pct(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


def summary(name, ms):
    print(f'{name}: n={len(ms)} median {statistics.median(ms):.2f} ms, '
          f'p90 {pct(ms, 90):.2f} ms, p99 {pct(ms, 99):.2f} ms, max {max(ms):.2f} ms')


def latency(vmm, initrd, count):
    vm = LinuxVM(vmm, initrd, smp=2, test='serve')
    vm.start()
    try:
        vm.wait_line(r'INIT: serving commands', 120)
        time.sleep(1)
        ms = []
        for n in range(count):
            cpu = n % 2
            start = vm.mark()
            t0 = time.monotonic()
            vm.qmp('x-inject-mce', **{'cpu-index': cpu, 'srr1': 0xc0000, 'recovered': True})
            _, _, t = vm.wait_line(rf'MCE: CPU{cpu}: machine check', 10, start)
            ms.append((t - t0) * 1000)
            vm.wait_line(rf'MCE: CPU{cpu}: Unknown', 10, start)
            time.sleep(0.02)
        summary('x-inject-mce -> Linux MCE line', ms)
        ue = []
        for n in range(max(5, count // 10)):
            start = vm.mark()
            vm.send('t\n')
            _, m, _ = vm.wait_line(r'INIT: page va 0x[0-9a-f]+ pa (0x[0-9a-f]+)', 10, start)
            start = vm.mark()
            t0 = time.monotonic()
            vm.qmp('x-inject-memory-error', address=int(m.group(1), 16))
            _, _, t = vm.wait_line(r'MCE: CPU\d+: machine check', 10, start)
            ue.append((t - t0) * 1000)
            vm.wait_line(r'INIT: SIGBUS', 10, start)
        summary('x-inject-memory-error -> Linux MCE line (incl. the init\'s next read, '
                'every 20 ms)', ue)
        vm.send('q\n')
        vm.wait_exit(30)
    finally:
        vm.kill()


def storm_rate(vmm, initrd, count):
    vm = LinuxVM(vmm, initrd, smp=4, test='serve')
    vm.start()
    try:
        vm.wait_line(r'INIT: serving commands', 120)
        start = vm.mark()
        vm.send('w\n')
        vm.wait_line(r'INIT: workers 3', 10, start)
        _, sent, markers, late, secs = test_mce.storm(vm, 4, count)
        f = vm.qmp('query-fwnmi')
        print(f'storm, -smp 4, 3 busy workers, paced per vCPU: {count} machine checks in '
              f'{secs:.2f} s = {count / secs:.0f}/s handled and reported by Linux '
              f'({f["queued"]} waited for another vCPU\'s interlock, {f["deferred"]} for '
              f'MSR[RI]=1, {late} report(s) late)')
        vm.send('q\n')
        vm.wait_exit(30)
    finally:
        vm.kill()


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('build', nargs='?', default='build')
    ap.add_argument('--count', type=int, default=100)
    ap.add_argument('--storm', type=int, default=1000)
    args = ap.parse_args()
    vmm = os.path.join(args.build, 'qemu-system-ppc64')
    initrd = os.path.join(args.build, 'tests', 'linux', 'linux-test-initramfs.cpio')
    latency(vmm, initrd, args.count)
    storm_rate(vmm, initrd, args.storm)
    return 0


if __name__ == '__main__':
    sys.exit(main())
