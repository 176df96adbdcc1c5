#!/usr/bin/env python3
"""Live migration of an idle Linux guest at -m 1G: total time and downtime.

    python3 bench/linux-migrate.py BUILD_DIR [--hops N] [--smp N]

Boots Debian's Linux 6.1 ($LINUX_VMLINUX or the scripts/fetch-linux.sh
cache) with the test init's "serve" scenario (idle: it polls its console
every 20 ms), then migrates it --hops times over a unix socket, each time
to a fresh destination (-incoming), and prints query-migrate's total time,
downtime and RAM sent per hop and their medians; after the last hop the
init must still answer and power off (exit 0). Figures only.
"""

import argparse
import os
import statistics
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, 'tests', 'linux'))
from linuxvm import LinuxVM  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('build')
    ap.add_argument('--hops', type=int, default=5)
    ap.add_argument('--smp', type=int, default=1)
    a = ap.parse_args()
    vmm = os.path.join(a.build, 'qemu-system-ppc64')
    initrd = os.path.join(a.build, 'tests', 'linux', 'linux-test-initramfs.cpio')
    vm = LinuxVM(vmm, initrd, smp=a.smp, mem='1G', test='serve')
    vms = [vm]
    rows = []
    try:
        vm.start()
        vm.wait_line(r'INIT: serving commands', 120)
        time.sleep(1)
        for hop in range(1, a.hops + 1):
            uri = 'unix:' + os.path.join(vm.tmp, f'mig{hop}.sock')
            dst = LinuxVM(vmm, None, smp=a.smp, mem='1G', incoming=uri)
            vms.append(dst)
            dst.start()
            ev = vm.event_mark()
            vm.qmp('migrate', uri=uri)
            e = vm.wait_event('MIGRATION', 60, ev,
                              lambda e: e['data']['status'] in ('completed', 'failed'))
            if e['data']['status'] != 'completed':
                raise SystemExit(f'hop {hop}: migration failed: {vm.qmp("query-migrate")}')
            info = vm.qmp('query-migrate')
            while dst.qmp('query-migrate').get('status') != 'completed':
                time.sleep(0.01)
            vm.qmp('quit')
            vm.wait_exit(10)
            vm = dst
            rows.append((info['total-time'], info['downtime'], info['ram']['transferred'] >> 20,
                         info['ram']['dirty-sync-count']))
            print(f'hop {hop}: {rows[-1][0]} ms total, {rows[-1][1]} ms downtime, '
                  f'{rows[-1][2]} MiB sent, {rows[-1][3]} passes')
            time.sleep(0.5)
        start = vm.mark()
        vm.send('h\n')
        vm.wait_line(r'INIT: alive', 10, start)
        vm.send('q\n')
        status = vm.wait_exit(30)
        if status != 0:
            raise SystemExit(f'the guest did not power off after the hops (status {status})')
        print(f'linux-migrate (-m 1G, -smp {a.smp}, idle Linux, {a.hops} hops): median '
              f'{statistics.median(r[0] for r in rows):.0f} ms total, '
              f'{statistics.median(r[1] for r in rows):.0f} ms downtime, '
              f'{statistics.median(r[2] for r in rows):.0f} MiB sent')
    finally:
        for v in vms:
            v.kill()


if __name__ == '__main__':
    main()
