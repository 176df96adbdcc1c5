#!/usr/bin/env python3
"""Boot Debian's SLOF (no -kernel) to its Forth prompt and run a word.

    run-slof.py --vmm PATH [--bios FILE] [--timeout S]

Starts `PATH -M pseries -m 1G -nographic` (SLOF, /usr/share/qemu/slof.bin,
is the default firmware without -kernel; --bios passes -bios FILE), waits
for SLOF's banner, its NVRAM node, "Welcome to Open Firmware", "Ready!"
(it found nothing to boot) and its `0 >` prompt, types `1 2 + .` and expects
`3  ok` back: console output through H_PUT_TERM_CHAR, input through
H_GET_TERM_CHAR. Skipped (exit 77) when the firmware file is missing
(scripts/install-deps.sh installs qemu-system-data).
"""
import argparse
import os
import re
import selectors
import signal
import subprocess
import sys
import time

DEFAULT_BIOS = '/usr/share/qemu/slof.bin'


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--vmm', required=True)
    ap.add_argument('--bios')
    ap.add_argument('--timeout', type=float, default=60)
    args = ap.parse_args()
    bios = args.bios or DEFAULT_BIOS
    if not os.path.isfile(bios):
        print(f'SKIP: no firmware at {bios} (scripts/install-deps.sh installs qemu-system-data)')
        return 77
    cmd = [args.vmm, '-M', 'pseries', '-m', '1G', '-nographic']
    if args.bios:
        cmd += ['-bios', args.bios]
    print('running:', ' '.join(cmd))
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    out = b''
    steps = [(b'SLOF', None), (b'Populating /vdevice/nvram', None),
             (b'Welcome to Open Firmware', None), (b'Ready!', None),
             (b'0 > ', b'1 2 + .\r'), (re.compile(rb'\b3 +ok'), None)]
    step = 0
    ok = False
    while time.monotonic() - start < args.timeout and proc.poll() is None:
        if not sel.select(timeout=0.5):
            continue
        chunk = os.read(proc.stdout.fileno(), 65536)
        if not chunk:
            break
        out += chunk
        while step < len(steps):
            pat, send = steps[step]
            m = pat.search(out) if hasattr(pat, 'search') else (out.find(pat) >= 0)
            if not m:
                break
            shown = (pat if isinstance(pat, bytes) else pat.pattern).decode()
            print(f'  {time.monotonic() - start:6.2f} s  saw {shown!r}')
            step += 1
            if send:
                out = out[out.find(b'0 > ') + 4:]
                proc.stdin.write(send)
                proc.stdin.flush()
        if step == len(steps):
            ok = True
            break
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()
    if not ok:
        print(f'FAIL: step {step} never matched; last output:')
        print(out[-2000:].decode('utf-8', 'replace'))
        return 1
    print('PASS: SLOF prompt answered 1 2 + . with 3')
    return 0


if __name__ == '__main__':
    sys.exit(main())
