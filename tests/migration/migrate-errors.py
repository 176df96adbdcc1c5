#!/usr/bin/env python3
"""Migration over QMP when things go wrong: the source keeps running.

    migrate-errors.py --vmm PATH --guest ELF

Runs a long mce-smp storm (-smp 4) as the source and checks:
  * query-migrate is {} before any migration; migrate-incoming without
    -incoming and a malformed URI are errors;
  * nobody listening: MIGRATION setup then failed, the source still running;
  * a destination started with -smp 2: it exits 1 with a one-line
    "-smp: the source has 4 vCPUs, this machine 2"; the source keeps running;
  * a peer that never reads: migrate_cancel ends in cancelled, the guest
    runs again (RESUME) and its storm completes;
  * a truncated file: the destination exits 1 naming the truncation;
  * -incoming defer + migrate-incoming on the destination works, and the
    guest finishes its storm there.
"""

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from importlib import import_module
mg = import_module('migrate-guest')


def check(cond, msg):
    if not cond:
        print('FAIL: ' + msg)
        sys.exit(1)
    print('ok: ' + msg)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--vmm', required=True)
    ap.add_argument('--guest', required=True)
    a = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix='migerr-')
    deadline = time.monotonic() + 60
    procs = []

    def start(n, extra, smp=4, connect=True):
        qmp = os.path.join(tmp, 'q%d.sock' % n)
        err = open(os.path.join(tmp, 'err%d.txt' % n), 'w')
        p = subprocess.Popen([a.vmm, '-M', 'pseries', '-smp', str(smp), '-display', 'none',
                              '-serial', 'file:' + os.path.join(tmp, 'con%d.txt' % n),
                              '-qmp', 'unix:%s,server=on,wait=off' % qmp] + extra, stderr=err)
        procs.append(p)
        return p, mg.Qmp(qmp, deadline) if connect else None

    def stderr_of(n):
        # without the start-up warnings QEMU 7.2 also prints under TCG for
        # the default pseries caps (cap-cfpc=workaround, ...)
        with open(os.path.join(tmp, 'err%d.txt' % n)) as f:
            return ''.join(l for l in f if "TCG doesn't support requested feature" not in l)

    def wait_status(q, statuses):
        return q.wait_event(lambda e: e['event'] == 'MIGRATION' and
                            e['data']['status'] in statuses, 30)['data']['status']

    try:
        src, sq = start(0, ['-kernel', a.guest, '-append', 'count=3000 hold=300'])
        check(sq.cmd('query-migrate') == {}, 'query-migrate before any migration is {}')
        try:
            sq.cmd('migrate-incoming', uri='unix:/nonexistent')
            check(False, 'migrate-incoming without -incoming fails')
        except RuntimeError as e:
            check("'-incoming' was not specified" in str(e), 'migrate-incoming without -incoming fails')
        try:
            sq.cmd('migrate', uri='ftp:x')
            check(False, 'bad URI fails')
        except RuntimeError as e:
            check('unknown migration protocol' in str(e), 'malformed URI refused: %s' % e)

        sq.cmd('migrate', uri='unix:' + os.path.join(tmp, 'nobody.sock'))
        check(wait_status(sq, ('failed',)) == 'failed', 'nobody listening: failed')
        check(sq.cmd('query-status')['status'] == 'running', 'source still running')

        mism = os.path.join(tmp, 'mism.sock')
        dst, dq = start(1, ['-incoming', 'unix:' + mism], smp=2)  # QMP up: listening
        time.sleep(0.05)
        sq.cmd('migrate', uri='unix:' + mism)
        wait_status(sq, ('completed', 'failed'))
        rc = dst.wait(timeout=10)
        msg = stderr_of(1)
        check(rc == 1 and '-smp: the source has 4 vCPUs, this machine 2' in msg and
              msg.count('\n') == 1, 'mismatched -smp refused in one line: %r' % msg.strip())
        check(sq.cmd('query-status')['status'] == 'running', 'source still running after a refusal')

        # a peer that accepts and never reads: cancel must bring the guest back
        ls = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        ls.bind(os.path.join(tmp, 'sink.sock'))
        ls.listen(1)
        sq.cmd('migrate', uri='unix:' + os.path.join(tmp, 'sink.sock'))
        conn, _ = ls.accept()
        time.sleep(0.3)
        sq.cmd('migrate_cancel')
        check(wait_status(sq, ('cancelled', 'completed', 'failed')) == 'cancelled',
              'migrate_cancel: cancelled')
        check(sq.cmd('query-status')['status'] == 'running', 'source running after cancel')
        conn.close()
        ls.close()

        # truncated file
        f = os.path.join(tmp, 'state.bin')
        sq.cmd('migrate', uri='file:' + f)
        check(wait_status(sq, ('completed', 'failed')) == 'completed', 'save to a file')
        sq.cmd('cont')
        data = open(f, 'rb').read()
        open(f + '.cut', 'wb').write(data[:len(data) // 2])
        dst, dq = start(2, ['-incoming', 'file:' + f + '.cut'], connect=False)
        rc = dst.wait(timeout=10)
        check(rc == 1 and 'truncated' in stderr_of(2), 'truncated file refused: %r' %
              stderr_of(2).strip())

        # -incoming unix: on somebody's regular file: refused, the file kept
        precious = os.path.join(tmp, 'precious.txt')
        with open(precious, 'w') as pf:
            pf.write('precious\n')
        dst, dq = start(5, ['-incoming', 'unix:' + precious], connect=False)
        rc = dst.wait(timeout=10)
        with open(precious) as pf:
            kept = pf.read() == 'precious\n'
        check(rc == 1 and 'exists and is not a socket' in stderr_of(5) and kept,
              'unix: listener refuses a regular file and keeps it: %r' % stderr_of(5).strip())

        # -incoming defer + migrate-incoming, then the storm finishes there
        dst, dq = start(3, ['-incoming', 'defer'])
        check(dq.cmd('query-status')['status'] == 'inmigrate', 'destination inmigrate')
        try:
            dq.cmd('cont')
            check(False, 'cont refused while inmigrate')
        except RuntimeError as e:
            check('Migration is not finished' in str(e), 'cont refused while inmigrate')
        try:
            dq.cmd('migrate', uri='file:/dev/null')
            check(False, 'migrate refused while inmigrate')
        except RuntimeError as e:
            check('waiting for an incoming migration' in str(e), 'migrate refused while inmigrate')
        dsock = 'unix:' + os.path.join(tmp, 'defer.sock')
        dq.cmd('migrate-incoming', uri=dsock)
        time.sleep(0.05)
        sq.cmd('migrate', uri=dsock)
        check(wait_status(sq, ('completed', 'failed')) == 'completed', 'deferred incoming')
        info = sq.cmd('query-migrate')
        hmp = sq.cmd('human-monitor-command', **{'command-line': 'info migrate'})
        check('Migration status: completed' in hmp and 'downtime:' in hmp,
              'HMP info migrate: %r' % hmp.splitlines()[:2])
        check(info['ram']['total'] > 0 and info['ram']['transferred'] > 0 and 'downtime' in info,
              'query-migrate reports RAM and downtime: %s' % info)
        sq.cmd('quit')
        rc = dst.wait(timeout=40)
        out = open(os.path.join(tmp, 'con0.txt')).read() + open(os.path.join(tmp, 'con3.txt')).read()
        check(rc == 0 and '12000 machine checks, one error log at a time, all recovered' in out,
              'storm finished on the destination')
    except (TimeoutError, subprocess.TimeoutExpired, EOFError, RuntimeError, OSError) as e:
        for n in range(len(procs)):
            sys.stdout.write(stderr_of(n))
        check(False, str(e))
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
    print('PASS')


if __name__ == '__main__':
    main()
