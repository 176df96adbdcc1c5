#!/usr/bin/env python3
"""Live migration of a 1 GiB guest: total time and downtime.

    python3 bench/migrate-bench.py BUILD_DIR [--runs N]

Runs the memwrite guest (tests/guest/memwrite.c) with -m 1G on the
software CPU and migrates it over a unix socket to a second process once
it is ready, in two scenarios:
  idle     64 MiB touched, nothing written while migrating
  writing  768 MiB touched, a 64 MiB working set rewritten continuously
and prints query-migrate's total time, downtime, RAM sent and passes
(medians over --runs), and checks that the guest verified its memory on
the destination.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'tests',
                                'migration'))
from importlib import import_module
mg = import_module('migrate-guest')

SCENARIOS = [
    ('idle', 'touch=64 ws=0 secs=3'),
    ('writing', 'touch=768 ws=64 secs=15'),
]


def run_once(vmm, guest, append, tmp, n):
    deadline = time.monotonic() + 120
    procs = []

    def start(tag, extra):
        qmp = os.path.join(tmp, '%s%d.sock' % (tag, n))
        con = os.path.join(tmp, '%s%d.txt' % (tag, n))
        p = subprocess.Popen([vmm, '-M', 'pseries', '-m', '1G', '-smp', '1', '-display', 'none',
                              '-serial', 'file:' + con, '-qmp',
                              'unix:%s,server=on,wait=off' % qmp] + extra)
        procs.append(p)
        return p, mg.Qmp(qmp, deadline), con

    try:
        src, sq, scon = start('src', ['-kernel', guest, '-append', append])
        while 'memwrite: ready' not in open(scon).read():
            if time.monotonic() > deadline:
                raise TimeoutError('guest not ready')
            time.sleep(0.01)
        uri = 'unix:' + os.path.join(tmp, 'mig%d.sock' % n)
        dst, dq, dcon = start('dst', ['-incoming', uri])
        time.sleep(0.05)
        t0 = time.monotonic()
        sq.cmd('migrate', uri=uri)
        ev = sq.wait_event(lambda e: e['event'] == 'MIGRATION' and
                           e['data']['status'] in ('completed', 'failed'), 100)
        wall = (time.monotonic() - t0) * 1000
        info = sq.cmd('query-migrate')
        if ev['data']['status'] != 'completed':
            raise RuntimeError('migration failed: %s' % info)
        sq.cmd('quit')
        rc = dst.wait(timeout=90)
        verified = rc == 0 and 'touched pages verified' in open(dcon).read()
        return (info['total-time'], info['downtime'], info['ram']['transferred'] >> 20,
                info['ram']['dirty-sync-count'], wall, verified)
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('build')
    ap.add_argument('--runs', type=int, default=3)
    a = ap.parse_args()
    vmm = os.path.join(a.build, 'qemu-system-ppc64')
    guest = os.path.join(a.build, 'tests', 'guest', 'memwrite-le.elf')
    if not os.path.exists(guest):
        print('migrate-bench: %s missing (no cross compiler?)' % guest)
        return 0
    tmp = tempfile.mkdtemp(prefix='migbench-')
    print('live migration, 1 GiB guest, unix socket, medians of %d runs:' % a.runs)
    for name, append in SCENARIOS:
        rows = [run_once(vmm, guest, append, tmp, i) for i in range(a.runs)]
        med = [statistics.median(r[i] for r in rows) for i in range(5)]
        ok = all(r[5] for r in rows)
        print('  %-8s total %6.0f ms  downtime %4.0f ms  sent %5.0f MiB  passes %3.0f  '
              '(wall %6.0f ms)  guest verified: %s' % (name, med[0], med[1], med[2], med[3],
                                                       med[4], 'yes' if ok else 'NO'))
    return 0


if __name__ == '__main__':
    sys.exit(main())
