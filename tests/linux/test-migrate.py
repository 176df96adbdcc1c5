#!/usr/bin/env python3
"""Live migration of a running Linux guest, and of one inside its FWNMI handler.

    test-migrate.py --vmm PATH --initrd CPIO SCENARIO

Boots Debian's Linux 6.1 with the test init's "serve" scenario
(tests/linux/serve.c) on a source VMM with -qmp, starts a destination with
the same -M/-m/-smp and -incoming unix:PATH (its own console on its stdout)
and migrates with QMP migrate. Scenarios:

--machine M (default pseries) is the -M of both VMMs (e.g. pseries,x-vof=on).

  live     -smp 2, a worker spinning on CPU1: live migration while the init
           works; on the destination the init answers, a recovered SLB
           multihit per vCPU gives Linux's MCE report on the destination's
           console (none on the source's), the kernel keeps running, the
           init powers off (exit 0)
  mid-mce  -smp 1: x-fwnmi-stop-on-delivery, a recovered SLB multihit: the
           source pauses right after the FWNMI delivery; the paused guest
           migrates; on the destination cont: Linux's handler runs there,
           calls ibm,nmi-interlock there (query-fwnmi continues the source's
           counters) and prints its MCE report there
"""

import argparse
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from linuxvm import Fail, LinuxVM, check, console_on_failure  # noqa: E402

SRR1_SLB_MULTIHIT = 0xc0000
MCE_RX = r'MCE: CPU{}: machine check \(Severe\)  SLB Multihit \[Recovered\]$'


def alive(vm):
    start = vm.mark()
    vm.send('h\n')
    _, m, _ = vm.wait_line(r'INIT: alive (\d+)$', 10, start)
    return int(m.group(1))


def inject_slb(vm, cpu):
    return vm.qmp('x-inject-mce', **{'cpu-index': cpu, 'srr1': SRR1_SLB_MULTIHIT,
                                     'recovered': True})['result']


def mce_report(vm, cpu, start, timeout=15):
    i, m, _ = vm.wait_line(MCE_RX.format(cpu), timeout, start)
    j, _, _ = vm.wait_line(rf'MCE: CPU{cpu}: (PID: \d+ Comm: \S+ )?NIP: \[[0-9a-f]+\]',
                           timeout, i + 1)
    k, _, _ = vm.wait_line(rf'MCE: CPU{cpu}: Initiator CPU$', timeout, j + 1)
    return k + 1


def migrate(src, vms, smp, paused):
    """Start a destination, migrate @src to it; returns (dst, query-migrate).
    The destination goes into @vms (console_on_failure) as soon as it
    exists, so that a failed migration shows its console and kills it too."""
    uri = 'unix:' + os.path.join(src.tmp, 'mig.sock')
    dst = LinuxVM(src.cmd[0], None, smp=smp, machine=src.cmd[2], incoming=uri)
    vms['destination'] = dst
    dst.start()
    st = dst.qmp('query-status')['status']
    check(st == 'inmigrate', f'destination waits: {st}')
    ev = src.event_mark()
    t0 = time.monotonic()
    src.qmp('migrate', uri=uri)
    e = src.wait_event('MIGRATION', 30, ev,
                       lambda e: e['data']['status'] in ('completed', 'failed'))
    info = src.qmp('query-migrate')
    check(e['data']['status'] == 'completed',
          f'source: migration completed in {time.monotonic() - t0:.2f} s: '
          f'{info.get("total-time")} ms total, {info.get("downtime")} ms downtime, '
          f'{info.get("ram", {}).get("transferred", 0) >> 10} KiB sent'
          + (f': {info["error-desc"]}' if "error-desc" in info else ''))
    st = src.qmp('query-status')['status']
    check(st == ('paused' if paused else 'postmigrate'), f'source is {st}')
    deadline = time.monotonic() + 10
    while dst.qmp('query-migrate').get('status') != 'completed':
        if time.monotonic() > deadline:
            raise Fail(f'destination never completed: {dst.qmp("query-migrate")}')
        time.sleep(0.01)
    st = dst.qmp('query-status')['status']
    check(st == ('paused' if paused else 'running'), f'destination is {st}')
    return dst, info


def scenario_live(args):
    src = LinuxVM(args.vmm, args.initrd, smp=2, test='serve', machine=args.machine)
    with console_on_failure({'source': src}) as vms:
        src.start()
        src.wait_line(r'INIT: serving commands', 60)
        start = src.mark()
        src.send('w\n')
        src.wait_line(r'INIT: workers 1$', 10, start)
        n = alive(src)
        check(n == 2, f'source: init alive {n}')
        dst, _ = migrate(src, vms, 2, paused=False)
        src_lines = src.mark()
        src.qmp('quit')
        check(src.wait_exit(10) == 0, 'source quit')
        n = alive(dst)
        check(n == 3, f'destination: the init answers (alive {n}): its state came along')
        last_src = max(float(m) for m in
                       re.findall(r'^\[ *(\d+\.\d+)\]', '\n'.join(t for _, t in src.lines), re.M))
        for cpu in (0, 1):
            start = dst.mark()
            check(inject_slb(dst, cpu) == 'delivered', f'destination CPU{cpu}: delivered')
            i = mce_report(dst, cpu, start)
            t = float(re.match(r'\[ *(\d+\.\d+)\]', dst.lines[i - 3][1]).group(1))
            check(last_src < t < last_src + 30,
                  f'destination printk time {t} continues the source\'s ({last_src})')
            print(f'  ok: destination console: MCE report on CPU{cpu}')
        n = alive(dst)
        check(n == 4, f'destination: the init still answers (alive {n})')
        # the timebase/decrementer came along: the 20 ms poll keeps ticking
        start = dst.mark()
        time.sleep(0.5)
        n = alive(dst)
        check(n == 5, f'destination: alive {n} after 0.5 s')
        f = dst.qmp('query-fwnmi')
        check(f['requests'] == 2 and f['delivered'] == 2 and f['interlocks'] == 2 and
              f['interlock-holder'] == -1, f'destination query-fwnmi: 2 delivered, 2 interlocks')
        check(src.count_lines(r'MCE: ') == 0 and src_lines == src.mark(),
              'no MCE line on the source console')
        check(dst.count_lines(r'MCE: CPU\d+: machine check') == 2, '2 reports on the destination')
        check(dst.count_lines(r'Oops|Kernel panic|BUG:|rcu.*stall|watchdog') == 0,
              'destination: no oops, stall or watchdog')
        dst.power_off('destination powered off')


def scenario_mid_mce(args):
    src = LinuxVM(args.vmm, args.initrd, smp=1, test='serve', machine=args.machine)
    with console_on_failure({'source': src}) as vms:
        src.start()
        src.wait_line(r'INIT: serving commands', 60)
        alive(src)
        src.qmp('x-fwnmi-stop-on-delivery', enable=True)
        ev = src.event_mark()
        check(inject_slb(src, 0) == 'delivered', 'source: delivered')
        src.wait_event('STOP', 10, ev)
        fs = src.qmp('query-fwnmi')
        check(fs['holder-entered'] and fs['interlock-holder'] == 0 and
              fs['delivered'] == 1 and fs['interlocks'] == 0,
              'source paused after the delivery, before the handler: holder 0 entered, '
              '1 delivered, 0 interlocks')
        check(src.count_lines(r'MCE: ') == 0, 'source: no MCE line yet')
        dst, _ = migrate(src, vms, 1, paused=True)
        fd = dst.qmp('query-fwnmi')
        check(fd['holder-entered'] and fd['interlock-holder'] == 0 and
              all(fd[k] == fs[k] for k in ('requests', 'delivered', 'interlocks')),
              'destination holds the same machine check (holder 0 entered, same counters)')
        src.qmp('quit')
        check(src.wait_exit(10) == 0, 'source quit')
        dst.qmp('x-fwnmi-stop-on-delivery', enable=False)
        start = dst.mark()
        dst.qmp('cont')
        mce_report(dst, 0, start)
        print('  ok: destination console: MCE report on CPU0')
        n = alive(dst)
        check(n == 2, f'destination: the init answers (alive {n})')
        fd = dst.qmp('query-fwnmi')
        check(fd['requests'] == fs['requests'] and fd['delivered'] == fs['delivered'] and
              fd['interlocks'] == fs['interlocks'] + 1 and fd['interlock-holder'] == -1,
              'destination: the handler interlocked there (interlocks 0 -> 1, holder -1)')
        check(src.count_lines(r'MCE: ') == 0, 'no MCE line on the source console')
        check(dst.count_lines(r'MCE: CPU\d+: machine check') == 1, '1 report on the destination')
        check(dst.count_lines(r'Oops|Kernel panic|BUG:') == 0, 'destination: no oops')
        dst.power_off('destination powered off')


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--vmm', required=True)
    ap.add_argument('--initrd', required=True)
    ap.add_argument('--machine', default='pseries', help='-M for both VMMs')
    ap.add_argument('scenario', choices=['live', 'mid-mce'])
    args = ap.parse_args()
    t0 = time.monotonic()
    try:
        {'live': scenario_live, 'mid-mce': scenario_mid_mce}[args.scenario](args)
    except Fail as e:
        print(f'FAIL: {e}')
        sys.exit(1)
    print(f'PASS ({time.monotonic() - t0:.1f} s)')


if __name__ == '__main__':
    main()
