#!/usr/bin/env python3
"""Boot Debian's ppc64el Linux 6.1 with the test initramfs and check it.

    run-linux.py --vmm PATH --initrd CPIO [--smp N] [--timeout S]
                 [--test NAME] [--append TEXT] [--machine OPTS] [--bios FILE]
                 [--mce]

Boots `PATH -M pseries -m 1G -smp N -nographic -kernel VMLINUX -initrd CPIO
-append "console=hvc0 fwnmi.test=NAME ..."` and passes when the console
shows, in order,
  * INIT: hello from test init (pid 1)
  * INIT: online CPUs: 0 (-smp 1) or 0-(N-1)
  * INIT: powering off
and the VMM then exits with status 0 (reboot(POWER_OFF) -> RTAS power-off)
within the timeout. --machine replaces "pseries" (e.g. pseries,x-vof=on:
the boot then goes through prom_init and CAS). --bios FILE adds -bios FILE:
the firmware (SLOF) boots the kernel, through prom_init, KVMPPC_H_CAS and
KVMPPC_H_UPDATE_DT. --mce injects one
recovered UE machine check into vCPU 0 over QMP (x-inject-mce) when the
init prints its first heartbeat, and also waits for Linux's
"MCE: CPU0: machine check" line (FWNMI delivery, Linux's handler), which
must say "[Recovered]".
The kernel is $LINUX_VMLINUX, else the cache of
scripts/fetch-linux.sh ($FWNMI_CACHE or ~/.cache/fwnmi-vmm/vmlinux); a
missing kernel is a failure, not a skip: run scripts/fetch-linux.sh.
On failure the tail of the console and stderr are printed.
"""

import argparse
import json
import os
import re
import socket
import tempfile
import selectors
import signal
import subprocess
import sys
import time


def find_kernel():
    path = os.environ.get('LINUX_VMLINUX')
    if path:
        return path
    cache = os.environ.get('FWNMI_CACHE',
                           os.path.join(os.path.expanduser('~'), '.cache', 'fwnmi-vmm'))
    return os.path.join(cache, 'vmlinux')


def qmp_inject_mce(path):
    """Connect to the QMP socket at path and inject one recovered UE
    load/store machine check into vCPU 0; return the reply."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(10)
        s.connect(path)
        f = s.makefile('rw')
        f.readline()                                    # greeting
        for cmd in ({'execute': 'qmp_capabilities'},
                    {'execute': 'x-inject-mce',
                     'arguments': {'cpu-index': 0, 'srr1': 0x200000, 'dsisr': 0x8000,
                                   'dar': 0, 'recovered': True}}):
            f.write(json.dumps(cmd) + '\n')
            f.flush()
            while True:
                reply = json.loads(f.readline())
                if 'event' not in reply:
                    break
        return reply


def boot(cmd, timeout, patterns, on_line=None):
    """Run cmd; return (status or None on timeout, output, seen index, times).
    on_line(text) is called for every console line."""
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    out, pending, seen, times = b'', b'', 0, []
    status = None
    deadline = start + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        if not sel.select(timeout=min(left, 1.0)):
            if proc.poll() is not None:
                break
            continue
        chunk = os.read(proc.stdout.fileno(), 65536)
        if not chunk:
            break
        out += chunk
        pending += chunk
        *lines, pending = pending.split(b'\n')
        for line in lines:
            text = line.decode('utf-8', 'replace').rstrip('\r')
            if on_line:
                on_line(text)
            bare = re.sub(r'^\[\s*[0-9.]+\]\s*', '', text)   # printk timestamp
            if seen < len(patterns) and bare.startswith(patterns[seen]):
                seen += 1
                times.append(time.monotonic() - start)
    try:
        status = proc.wait(timeout=max(0.1, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()
        status = None
    out += proc.stdout.read() or b''
    return status, out.decode('utf-8', 'replace'), seen, times


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--vmm', required=True)
    ap.add_argument('--initrd', required=True)
    ap.add_argument('--smp', type=int, default=1)
    ap.add_argument('--timeout', type=float, default=120)
    ap.add_argument('--test', default='boot')
    ap.add_argument('--append', default='')
    ap.add_argument('--machine', default='pseries')
    ap.add_argument('--bios')
    ap.add_argument('--mce', action='store_true')
    args = ap.parse_args()

    kernel = find_kernel()
    if not os.path.isfile(kernel):
        print(f'FAIL: no Linux kernel at {kernel}: run scripts/fetch-linux.sh '
              '(or set LINUX_VMLINUX)')
        return 1
    cpus = '0' if args.smp == 1 else f'0-{args.smp - 1}'
    patterns = ['INIT: hello from test init (pid 1)', f'INIT: online CPUs: {cpus}',
                'INIT: powering off']
    beats = 1
    on_line = None
    tmp = tempfile.TemporaryDirectory()
    cmd = [args.vmm, '-M', args.machine, '-m', '1G', '-smp', str(args.smp), '-nographic']
    if args.bios:
        if not os.path.isfile(args.bios):
            print(f'SKIP: no firmware at {args.bios} (scripts/install-deps.sh installs '
                  'qemu-system-data)')
            return 77
        cmd += ['-bios', args.bios]
    if args.mce:
        beats = 4
        patterns.insert(2, 'INIT: heartbeat 1')
        patterns.insert(3, 'MCE: CPU0: machine check')
        qmp_path = os.path.join(tmp.name, 'qmp.sock')
        cmd += ['-qmp', f'unix:{qmp_path},server=on,wait=off']
        injected = []

        def on_line(text):
            if not injected and text.startswith('INIT: heartbeat 1'):
                injected.append(qmp_inject_mce(qmp_path))
                print('x-inject-mce:', injected[0])
    append = f'console=hvc0 fwnmi.test={args.test} fwnmi.beats={beats} {args.append}'.strip()
    cmd += ['-kernel', kernel, '-initrd', args.initrd, '-append', append]
    print('running:', ' '.join(cmd))
    status, out, seen, times = boot(cmd, args.timeout, patterns, on_line)
    for p, t in zip(patterns, times):
        print(f'  {t:7.2f} s  {p}')
    ok = seen == len(patterns) and status == 0
    if ok and args.mce and (not injected or
                            injected[0].get('return', {}).get('result') != 'delivered'):
        print('FAIL: x-inject-mce was not delivered through FWNMI:',
              injected[0] if injected else 'never injected')
        return 1
    if not ok:
        if seen < len(patterns):
            print(f'FAIL: never saw {patterns[seen]!r}'
                  + (' (timeout)' if status is None else f' (exit status {status})'))
        else:
            print('FAIL: ' + ('no exit after power-off (timeout)' if status is None
                              else f'exit status {status}, expected 0'))
        print('---- last console lines ----')
        print('\n'.join(out.splitlines()[-40:]))
        return 1
    if args.mce:
        print('\n'.join(l for l in out.splitlines() if 'MCE:' in l))
        report = [l for l in out.splitlines() if 'MCE: CPU0: machine check' in l]
        if not report or '[Recovered]' not in report[0]:
            print('FAIL: Linux did not report the machine check as recovered:',
                  report[0] if report else 'no report')
            return 1
    how = args.machine + (f' through {os.path.basename(args.bios)}' if args.bios else '')
    print(f'PASS: Linux ({how}) reached /init with {args.smp} vCPU(s)'
          + (', handled an FWNMI machine check' if args.mce else '') + ' and powered off')
    return 0


if __name__ == '__main__':
    sys.exit(main())
