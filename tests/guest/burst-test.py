#!/usr/bin/env python3
"""Machine-check bursts from QMP against a running mce-burst guest.

    burst-test.py --vmm PATH --guest ELF --smp N [--rounds R] [--seed S]

Boots the guest with a QMP socket, waits for its "ready" line, then sends
bursts of x-inject-mce without waiting for the replies (pipelined, so
several requests for one vCPU arrive while its previous one is still
queued, assigned or being handled), including the patterns that once
wedged the VM: two for one vCPU while another holds the buffer, and two
back to back for a free vCPU. Then it checks, exactly:
  * the VM does not wedge: the queue drains and the buffer is released;
  * every request ended as exactly one outcome (query-fwnmi counters:
    requests == delivered + nested, nothing legacy, ignored or dropped);
  * every reply agrees (delivered+queued replies == deliveries, "ignored"
    replies == nested);
  * each vCPU's handler ran exactly as often as the VMM delivered to it
    (the guest's own counts against the FWNMI_MACHINE_CHECK events).
"""

import argparse
import os
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from qmp_socket import Qmp  # noqa: E402  (tests/qmp_socket.py)

SRR1_LOADSTORE = 0x200000       # SRR1 bit 42: D-side, cause in DSISR
DSISR_UE_PTW = 0x4000           # UE on a page-table walk: EA = DAR provided
DONE_EA = 0xD0E0000             # tells the guest the driver has finished


def inject(cpu, dar):
    return {'execute': 'x-inject-mce',
            'arguments': {'cpu-index': cpu, 'srr1': SRR1_LOADSTORE,
                          'dsisr': DSISR_UE_PTW, 'dar': dar, 'recovered': True}}


def bursts(smp, rounds, rng):
    """Fixed wedge patterns first, then random bursts."""
    other = 1 if smp > 1 else 0
    yield [other, 0, 0]         # two for vCPU 0 while vCPU 1 holds
    yield [0, 0]                # two back to back for a free vCPU
    yield [0, 0, 0, other, other, other]
    for _ in range(rounds):
        yield [rng.randrange(smp) for _ in range(rng.randint(2, 3 * smp))]


def wait_line(proc, pattern, timeout, seen):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        seen.append(line.rstrip('\n'))
        if re.search(pattern, line):
            return True
    return False


def fail(msg, seen, proc):
    print(f'FAIL: {msg}')
    print('--- guest console ---')
    print('\n'.join(seen[-40:]))
    if proc.poll() is None:
        proc.kill()
    time.sleep(0.2)
    err = ''.join(getattr(proc, 'stderr_lines', []))
    if err:
        print('--- VMM stderr ---')
        print(err[-4000:])
    sys.exit(1)


def check_icount(qmp, smp, kvm):
    """x-query-icount: under KVM a one-line error; on the software CPU one
    count per vCPU, each vCPU having run (its heartbeat loop), and counts
    that only grow. Returns the problems found."""
    qmp.send({'execute': 'x-query-icount'})
    first = qmp.reply_raw()
    if kvm:
        if 'error' not in first or 'software CPU' not in first['error']['desc']:
            return [f'x-query-icount under KVM answered {first}']
        return []
    if 'return' not in first:
        return [f'x-query-icount failed: {first}']
    time.sleep(0.1)
    qmp.send({'execute': 'x-query-icount'})
    second = qmp.reply()
    problems = []
    if [c['cpu-index'] for c in first['return']] != list(range(smp)):
        problems.append(f'x-query-icount lists {first["return"]} for {smp} vCPUs')
    for a, b in zip(first['return'], second):
        if a['instructions'] <= 0 or b['instructions'] < a['instructions']:
            problems.append(f'x-query-icount: vCPU {a["cpu-index"]} went from '
                            f'{a["instructions"]} to {b["instructions"]} instructions')
    return problems


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--vmm', required=True)
    ap.add_argument('--guest', required=True)
    ap.add_argument('--smp', type=int, default=4)
    ap.add_argument('--rounds', type=int, default=60)
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--vmm-arg', action='append', default=[],
                    help='extra VMM argument (e.g. -accel=kvm ... one word each)')
    args = ap.parse_args()

    tmp = tempfile.mkdtemp(prefix='burst-')
    sock = os.path.join(tmp, 'qmp.sock')
    cmd = [args.vmm, '-M', 'pseries,cap-fwnmi=on', '-m', '256M',
           '-smp', str(args.smp), '-nographic', '-kernel', args.guest,
           '-qmp', f'unix:{sock},server=on,wait=off'] + args.vmm_arg
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    # Drain stderr meanwhile (nested machine checks are warned about there).
    stderr_lines = []
    threading.Thread(target=lambda: stderr_lines.extend(proc.stderr),
                     daemon=True).start()
    proc.stderr_lines = stderr_lines
    seen = []
    if not wait_line(proc, r'(mce-burst|fuzz-guest): ready', 20, seen):
        fail('the guest never became ready', seen, proc)
    qmp = Qmp(sock, time.monotonic() + 10)

    rng = random.Random(args.seed)
    replies = {}
    dar = 0x100000
    sent = 0
    for burst in bursts(args.smp, args.rounds, rng):
        for cpu in burst:
            dar += 8
            qmp.send(inject(cpu, dar))
        for _ in burst:
            r = qmp.reply()['result']
            replies[r] = replies.get(r, 0) + 1
        sent += len(burst)
        time.sleep(rng.random() * 0.002)

    deadline = time.monotonic() + 10
    while True:
        qmp.send({'execute': 'query-fwnmi'})
        f = qmp.reply()
        if not f['pending'] and f['interlock-holder'] == -1:
            break
        if time.monotonic() > deadline:
            qmp.send({'execute': 'human-monitor-command',
                      'arguments': {'command-line': f'info registers {f["interlock-holder"]}'}})
            regs = qmp.reply() if f['interlock-holder'] >= 0 else ''
            fail(f'wedged: machine checks still outstanding 10 s after the '
                 f'last burst: {f}\nholder registers:\n{regs}', seen, proc)
        time.sleep(0.01)

    # Quiescent: the counters are final. Every request has one outcome.
    problems = check_icount(qmp, args.smp, 'kvm' in args.vmm_arg)
    if f['requests'] != sent:
        problems.append(f'requests {f["requests"]} != {sent} sent')
    if f['requests'] != f['delivered'] + f['nested']:
        problems.append(f'requests {f["requests"]} != delivered {f["delivered"]}'
                        f' + nested {f["nested"]}')
    for k in ('legacy', 'ignored', 'dropped', 'unrecoverable'):
        if f[k]:
            problems.append(f'{k} = {f[k]}, expected 0')
    if f['interlocks'] != f['delivered']:
        problems.append(f'interlocks {f["interlocks"]} != delivered {f["delivered"]}')
    if replies.get('delivered', 0) + replies.get('queued', 0) != f['delivered']:
        problems.append(f'replies {replies} do not add up to {f["delivered"]} deliveries')
    if replies.get('ignored', 0) != f['nested']:
        problems.append(f'{replies.get("ignored", 0)} "ignored" replies but '
                        f'{f["nested"]} nested')
    if problems:
        fail('; '.join(problems), seen, proc)

    qmp.send(inject(0, DONE_EA))
    if qmp.reply()['result'] != 'delivered':
        fail('the final machine check was not delivered at once', seen, proc)
    wait_line(proc, r'(mce-burst|fuzz-guest): total', 20, seen)
    try:
        status = proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        fail('the guest did not power off', seen, proc)
    qmp.drain_events()
    if status != 0:
        fail(f'exit status {status}', seen, proc)

    guest = {}
    for line in seen:
        m = re.search(r'CPU(\d+): (\d+) machine checks, heartbeat yes', line)
        if m:
            guest[int(m.group(1))] = int(m.group(2))
    events = {}
    for e in qmp.events:
        if e['event'] == 'FWNMI_MACHINE_CHECK' and e['data']['kind'] == 'fwnmi':
            c = e['data']['cpu']
            events[c] = events.get(c, 0) + 1
    if len(guest) != args.smp:
        fail(f'counts for {len(guest)} of {args.smp} vCPUs printed', seen, proc)
    if guest != events:
        fail(f'handler runs per vCPU {guest} != FWNMI deliveries per vCPU '
             f'{events}', seen, proc)
    if sum(guest.values()) != f['delivered'] + 1:
        fail(f'the guest saw {sum(guest.values())} machine checks, the VMM '
             f'delivered {f["delivered"]} + 1', seen, proc)
    print(f'ok: {sent} requests on {args.smp} vCPUs: {f["delivered"]} delivered '
          f'({replies.get("queued", 0)} after waiting), {f["nested"]} nested, '
          f'{f["deferred"]} held for MSR[RI]; '
          f'per vCPU {dict(sorted(guest.items()))}')


if __name__ == '__main__':
    main()
