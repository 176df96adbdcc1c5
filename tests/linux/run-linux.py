#!/usr/bin/env python3
"""Boot Debian's ppc64el Linux 6.1 with the test initramfs and check it.

    run-linux.py --vmm PATH --initrd CPIO [--smp N] [--timeout S]
                 [--test NAME] [--append TEXT]

Boots `PATH -M pseries -m 1G -smp N -nographic -kernel VMLINUX -initrd CPIO
-append "console=hvc0 fwnmi.test=NAME ..."` and passes when the console
shows, in order,
  * INIT: hello from test init (pid 1)
  * INIT: online CPUs: 0 (-smp 1) or 0-(N-1)
  * INIT: powering off
and the VMM then exits with status 0 (reboot(POWER_OFF) -> RTAS power-off)
within the timeout. The kernel is $LINUX_VMLINUX, else the cache of
scripts/fetch-linux.sh ($FWNMI_CACHE or ~/.cache/fwnmi-vmm/vmlinux); a
missing kernel is a failure, not a skip: run scripts/fetch-linux.sh.
On failure the tail of the console and stderr are printed.
"""

import argparse
import os
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


def boot(cmd, timeout, patterns):
    """Run cmd; return (status or None on timeout, output, seen index, times)."""
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
            if seen < len(patterns) and text.startswith(patterns[seen]):
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
    args = ap.parse_args()

    kernel = find_kernel()
    if not os.path.isfile(kernel):
        print(f'FAIL: no Linux kernel at {kernel}: run scripts/fetch-linux.sh '
              '(or set LINUX_VMLINUX)')
        return 1
    cpus = '0' if args.smp == 1 else f'0-{args.smp - 1}'
    patterns = ['INIT: hello from test init (pid 1)', f'INIT: online CPUs: {cpus}',
                'INIT: powering off']
    append = f'console=hvc0 fwnmi.test={args.test} fwnmi.beats=1 {args.append}'.strip()
    cmd = [args.vmm, '-M', 'pseries', '-m', '1G', '-smp', str(args.smp), '-nographic',
           '-kernel', kernel, '-initrd', args.initrd, '-append', append]
    print('running:', ' '.join(cmd))
    status, out, seen, times = boot(cmd, args.timeout, patterns)
    for p, t in zip(patterns, times):
        print(f'  {t:7.2f} s  {p}')
    ok = seen == len(patterns) and status == 0
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
    print(f'PASS: Linux reached /init with {args.smp} vCPU(s) and powered off')
    return 0


if __name__ == '__main__':
    sys.exit(main())
