#!/usr/bin/env python3
"""Machine control of KVM vCPUs over QMP: stop, cont, register snapshots,
x-inject-mce, the refused x-inject-memory-error, quit.

Usage: control-test.py --vmm WRAPPER --guest mce-burst-le.elf [--smp N]

The mce-burst guest spins on every vCPU after "ready"; every request below
needs the vCPU threads to leave KVM_RUN (a kick: SIG_IPI, KVM_EXIT_INTR)
and to park or run work on their own thread.
"""
import argparse
import importlib.util
import os
import subprocess
import tempfile
import threading
import time

here = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location(
    'burst', os.path.join(here, '..', 'guest', 'burst-test.py'))
burst = importlib.util.module_from_spec(spec)
spec.loader.exec_module(burst)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--vmm', required=True)
    ap.add_argument('--guest', required=True)
    ap.add_argument('--smp', type=int, default=2)
    args = ap.parse_args()

    sock = os.path.join(tempfile.mkdtemp(prefix='kvmctl-'), 'qmp.sock')
    cmd = [args.vmm, '-accel', 'kvm', '-M', 'pseries,cap-fwnmi=on', '-m', '256M',
           '-smp', str(args.smp), '-nographic', '-kernel', args.guest,
           '-qmp', f'unix:{sock},server=on,wait=off']
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    proc.stderr_lines = []
    threading.Thread(target=lambda: proc.stderr_lines.extend(proc.stderr),
                     daemon=True).start()
    seen = []
    if not burst.wait_line(proc, r'mce-burst: ready', 30, seen):
        burst.fail('the guest never became ready', seen, proc)
    qmp = burst.Qmp(sock, time.monotonic() + 10)

    def expect(cond, what):
        if not cond:
            burst.fail(what, seen, proc)

    qmp.cmd('stop')
    st = qmp.cmd('query-status')
    expect(st['status'] == 'paused', f'stop: status {st}')
    # Registers of a parked vCPU (read from KVM after its last exit).
    regs = qmp.cmd('human-monitor-command', **{'command-line': 'info registers 1'})
    expect('NIP' in regs or 'nip' in regs, f'info registers: {regs!r}')
    qmp.cmd('cont')
    st = qmp.cmd('query-status')
    expect(st['status'] == 'running', f'cont: status {st}')
    # A snapshot of a vCPU in KVM_RUN: work on its thread after a kick.
    regs = qmp.cmd('human-monitor-command', **{'command-line': 'info registers 0'})
    expect(len(regs) > 100, f'info registers of a running vCPU: {regs!r}')
    # Machine checks injected into running vCPUs are delivered through FWNMI.
    qmp.send(burst.inject(0, 0x1000))
    r = qmp.reply()
    expect(r.get('result') == 'delivered', f'x-inject-mce: {r}')
    deadline = time.monotonic() + 10
    while True:
        f = qmp.cmd('query-fwnmi')
        if f['interlocks'] >= 1 and f['interlock-holder'] == -1:
            break
        expect(time.monotonic() < deadline, f'machine check never interlocked: {f}')
        time.sleep(0.01)
    # The poison is only seen by the software CPU: refused, one line.
    qmp.send({'execute': 'x-inject-memory-error', 'arguments': {'address': 0x100000}})
    try:
        qmp.reply()
        burst.fail('x-inject-memory-error was accepted under KVM', seen, proc)
    except RuntimeError as e:
        expect('not supported with -accel kvm' in str(e), f'wrong error: {e}')
    qmp.cmd('quit')
    try:
        status = proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        burst.fail('quit: the VMM did not exit', seen, proc)
    expect(status == 0, f'exit status {status} after quit')
    print(f'ok: stop/cont/info registers/x-inject-mce/quit on {args.smp} KVM vCPUs')


if __name__ == '__main__':
    main()
