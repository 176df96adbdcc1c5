#!/usr/bin/env python3
"""Migrate a running test guest between VMM processes, mid-storm.

    migrate-guest.py --vmm PATH --guest ELF --smp N [--append TEXT]
                     [--hops K] [--uri unix|tcp|file|exec] [--expect REGEX ...]
                     [--mid-mce]

Starts the guest in a source process with a QMP socket, then K times:
starts a destination with -incoming, migrates the running guest to it
(QMP migrate), checks the MIGRATION events (setup, active, completed on
both sides), that the source ends in postmigrate and the destination runs,
and that query-fwnmi's counters on the destination are not below the
source's at switch-over (they continue). The guest's console is the
concatenation of every hop's console; the guest itself checks nothing was
lost or doubled, and its final lines must match --expect. With --mid-mce
each hop waits until some vCPU holds the FWNMI buffer (and, with 2+
vCPUs, others wait) before migrating. Prints one line per hop and exits
non-zero on the first failure.
"""

import argparse
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from qmp_socket import Qmp  # noqa: E402  (tests/qmp_socket.py)


def fail(msg):
    print('FAIL: ' + msg)
    sys.exit(1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--vmm', required=True)
    ap.add_argument('--guest', required=True)
    ap.add_argument('--smp', type=int, default=4)
    ap.add_argument('--append', default='')
    ap.add_argument('--hops', type=int, default=3)
    ap.add_argument('--uri', default='unix')
    ap.add_argument('--mid-mce', action='store_true')
    ap.add_argument('--stop-in-handler', action='store_true',
                    help='pause the source at the FWNMI delivery (x-fwnmi-stop-on-delivery), '
                         'migrate the stopped guest, cont on the destination')
    ap.add_argument('--expect-file')
    ap.add_argument('--wait-line', help='migrate once the console shows this line')
    ap.add_argument('--expect', action='append', default=[])
    ap.add_argument('--timeout', type=float, default=60)
    a = ap.parse_args()

    tmp = tempfile.mkdtemp(prefix='mig-')
    deadline = time.monotonic() + a.timeout
    procs = []

    def start(n, extra):
        qmp = os.path.join(tmp, 'qmp%d.sock' % n)
        con = os.path.join(tmp, 'console%d.txt' % n)
        args = [a.vmm, '-M', 'pseries', '-smp', str(a.smp), '-display', 'none',
                '-serial', 'file:' + con, '-qmp', 'unix:%s,server=on,wait=off' % qmp] + extra
        err = open(os.path.join(tmp, 'stderr%d.txt' % n), 'w')
        p = subprocess.Popen(args, stderr=err)
        procs.append(p)
        return p, Qmp(qmp, deadline), con

    src, sq, con = start(0, ['-kernel', a.guest] + (['-append', a.append] if a.append else []) +
                         (['-S'] if a.stop_in_handler else []))
    consoles = [con]
    if a.expect_file:
        for line in open(a.expect_file):
            if line.startswith('^'):
                a.expect.append(line.rstrip('\n'))
    if a.stop_in_handler:
        sq.cmd('x-fwnmi-stop-on-delivery', enable=True)
        sq.cmd('cont')
    try:
        while a.wait_line and a.wait_line not in open(con, errors='replace').read():
            if time.monotonic() > deadline:
                fail('the guest never printed %r' % a.wait_line)
            time.sleep(0.01)
        for hop in range(1, a.hops + 1):
            if a.uri == 'unix':
                uri = 'unix:' + os.path.join(tmp, 'mig%d.sock' % hop)
            elif a.uri == 'tcp':
                s = socket.socket()
                s.bind(('127.0.0.1', 0))
                uri = 'tcp:127.0.0.1:%d' % s.getsockname()[1]
                s.close()
            elif a.uri == 'tcp6':
                try:
                    s = socket.socket(socket.AF_INET6)
                    s.bind(('::1', 0))
                except OSError:
                    print('SKIP: no IPv6 loopback')
                    sys.exit(77)
                uri = 'tcp:[::1]:%d' % s.getsockname()[1]
                s.close()
            elif a.uri == 'file':
                uri = 'file:' + os.path.join(tmp, 'mig%d.bin' % hop)
            else:
                f = os.path.join(tmp, 'mig%d.bin' % hop)
                uri = 'exec:cat > ' + f
            if a.stop_in_handler and hop == 1:
                sq.wait_event(lambda e: e['event'] == 'STOP', a.timeout)
            if a.stop_in_handler:
                fw = sq.cmd('query-fwnmi')
                if not fw['holder-entered'] or fw['interlock-holder'] != 0:
                    fail('hop %d: stopped, but not inside the handler: %s' % (hop, fw))
            if a.mid_mce:
                while True:
                    st = sq.cmd('query-status')['status']
                    if st != 'running':
                        fail('hop %d: source is %s before migrating' % (hop, st))
                    fw = sq.cmd('query-fwnmi')
                    if fw['interlock-holder'] >= 0 and (a.smp == 1 or fw['pending']):
                        break
                    if time.monotonic() > deadline:
                        fail('hop %d: no machine check in flight' % hop)
            sq.events = []          # e.g. this process's own incoming 'completed'
            if a.uri in ('file', 'exec'):
                sq.cmd('migrate', uri=uri)
                ev = sq.wait_event(lambda e: e['event'] == 'MIGRATION' and
                                   e['data']['status'] in ('completed', 'failed'), a.timeout)
                dst, dq, dcon = start(hop, ['-incoming', uri.replace('exec:cat > ', 'file:')])
            else:
                dst, dq, dcon = start(hop, ['-incoming', uri])
                time.sleep(0.05)
                sq.cmd('migrate', uri=uri)
                ev = sq.wait_event(lambda e: e['event'] == 'MIGRATION' and
                                   e['data']['status'] in ('completed', 'failed'), a.timeout)
            if ev['data']['status'] != 'completed':
                fail('hop %d: source migration %s: %s' %
                     (hop, ev['data']['status'], sq.cmd('query-migrate')))
            info = sq.cmd('query-migrate')
            fw_src = sq.cmd('query-fwnmi')
            st = sq.cmd('query-status')['status']
            if st != ('paused' if a.stop_in_handler else 'postmigrate'):
                fail('hop %d: source is %s after migrating' % (hop, st))
            # a file: stream may be loaded before we connect: poll, not events
            while dq.cmd('query-migrate').get('status') != 'completed':
                if time.monotonic() > deadline:
                    fail('hop %d: destination never completed: %s' %
                         (hop, dq.cmd('query-migrate')))
                time.sleep(0.01)
            fw_dst = dq.cmd('query-fwnmi')
            if a.stop_in_handler:
                if dq.cmd('query-status')['status'] != 'paused':
                    fail('hop %d: destination of a paused guest is not paused' % hop)
                if not fw_dst['holder-entered'] or fw_dst['interlock-holder'] != 0:
                    fail('hop %d: destination lost the holder: %s' % (hop, fw_dst))
            for k in ('requests', 'delivered', 'queued', 'interlocks'):
                if fw_dst[k] < fw_src[k]:
                    fail('hop %d: destination %s %d < source %d' % (hop, k, fw_dst[k], fw_src[k]))
            print('hop %d: %s, %d KiB sent, %d ms total, %d ms downtime, holder %d, pending %s, '
                  'delivered %d' % (hop, uri.split(':')[0], info['ram']['transferred'] >> 10,
                                    info['total-time'], info.get('downtime', -1),
                                    fw_src['interlock-holder'], fw_src['pending'],
                                    fw_src['delivered']))
            sq.cmd('quit')
            src.wait(timeout=10)
            src, sq = dst, dq
            consoles.append(dcon)
        if a.stop_in_handler:
            sq.cmd('x-fwnmi-stop-on-delivery', enable=False)
            try:
                sq.cmd('cont')
            except EOFError:
                pass                # the guest may power off before the reply
        rc = src.wait(timeout=max(1, deadline - time.monotonic()))
    except (TimeoutError, subprocess.TimeoutExpired, EOFError, RuntimeError) as e:
        for n in range(len(procs)):
            sys.stdout.write(open(os.path.join(tmp, 'stderr%d.txt' % n)).read())
        fail('%s' % e)
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
    text = ''.join(open(c, errors='replace').read() for c in consoles)
    sys.stdout.write(text)
    if rc != 0:
        fail('guest exit status %d' % rc)
    for rx in a.expect:
        if not re.search(rx, text, re.M):
            fail('console lacks %r' % rx)
    print('PASS')


if __name__ == '__main__':
    main()
