#!/usr/bin/env python3
"""Linux boot benchmark: process start to the test init's first line.

Boots Debian's ppc64el Linux 6.1 (scripts/fetch-linux.sh) with the
tests/linux initramfs on this VMM (direct kernel entry, and with
`-M pseries,x-vof=on`: prom_init and CAS against the VMM's Open Firmware
client interface) and on Debian's QEMU 7.2 (`qemu-system-ppc64 -M
pseries,x-vof=on`, no SLOF; installed with WITH_REFERENCE_QEMU=1
scripts/install-deps.sh), alternating them, and
prints for each the median wall time from process start to
"INIT: hello from test init", the median peak RSS, and the ratio of the
medians, and the speed ratio as the issue defines it: QEMU's time over
ours (>= 1.0 means ours is no slower). For this VMM it also prints the
guest MIPS during boot: the instructions vCPU 0 retired up to the init
line (QMP x-query-icount, asked the moment the line appears) over the
time to it. A run that does not reach the line within the timeout is
reported as such, and the benchmark still exits 0.

--slof measures the firmware boot instead: this VMM with `-bios
/usr/share/qemu/slof.bin -kernel ...` (SLOF, prom_init, KVMPPC_H_CAS and
KVMPPC_H_UPDATE_DT) against Debian's QEMU 7.2 default pseries, which boots
the same SLOF with -kernel; the same alternation, medians and ratio.

usage: linux-boot.py [--runs N] [--timeout S] [--smp N] [--slof] BUILD_DIR
"""
import argparse
import os
import selectors
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'tests'))
from qmp_socket import Qmp  # noqa: E402

MARKER = b'INIT: hello from test init'


def kernel_path():
    path = os.environ.get('LINUX_VMLINUX')
    if path:
        return path
    cache = os.environ.get('FWNMI_CACHE',
                           os.path.join(os.path.expanduser('~'), '.cache', 'fwnmi-vmm'))
    return os.path.join(cache, 'vmlinux')


def query_icount(sock_path):
    """Instructions vCPU 0 has retired (x-query-icount), or None."""
    try:
        qmp = Qmp(sock_path, time.monotonic() + 2)
        with qmp.sock:
            cpus = qmp.cmd('x-query-icount')
    except (OSError, EOFError, RuntimeError):
        return None
    return cpus[0]['instructions'] if cpus else None


def one_run(cmd, timeout, qmp_path=None):
    """(seconds to MARKER or None, peak RSS in MiB or None, note,
    vCPU 0's instruction count at MARKER or None)."""
    icount = None
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    buf, hit, note = b'', None, ''
    while hit is None:
        left = t0 + timeout - time.monotonic()
        if left <= 0:
            note = f'no init line within {timeout:.0f} s'
            break
        if not sel.select(timeout=min(left, 0.5)):
            continue
        chunk = os.read(proc.stdout.fileno(), 65536)
        if not chunk:
            note = 'exited before the init line'
            break
        buf = (buf + chunk)[-4096:]
        if MARKER in buf:
            hit = time.monotonic() - t0
            if qmp_path:
                icount = query_icount(qmp_path)
    # Let the guest power off (fwnmi.beats=0), then make sure it is gone.
    # The child is reaped with wait4 only, for its peak RSS.
    deadline = time.monotonic() + (10 if hit is not None else 0)
    usage = None
    while time.monotonic() < deadline:
        pid, _, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        usage = None
        if sel.select(timeout=0.2) and not os.read(proc.stdout.fileno(), 65536):
            time.sleep(0.05)
    if usage is None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        _, _, usage = os.wait4(proc.pid, 0)
    proc.returncode = 0     # reaped here: keep Popen from waiting again
    proc.stdout.close()
    return hit, usage.ru_maxrss / 1024.0, note, icount


def fmt(values, unit, digits=2):
    return f'{statistics.median(values):.{digits}f} {unit}' if values else 'n/a'


def measure(vmms, runs, timeout):
    """{name: (times, rsses, notes, guest MIPS)}, the VMMs alternating run
    by run. @vmms: (name, command, QMP socket for x-query-icount or None)."""
    results = {name: ([], [], [], []) for name, _, _ in vmms}
    for _ in range(runs):
        for name, cmd, sock in vmms:    # alternate, so host load hits both alike
            if sock and os.path.exists(sock):
                os.unlink(sock)
            t, rss, note, icount = one_run(cmd, timeout, sock)
            times, rsses, notes, mips = results[name]
            if t is not None:
                times.append(t)
                rsses.append(rss)
                if icount:
                    mips.append(icount / t / 1e6)
            elif note:
                notes.append(note)
    return results


def report(vmms, results):
    for name, _, sock in vmms:
        times, rsses, notes, mips = results[name]
        extra = f' ({len(notes)} failed: {notes[0]})' if notes else ''
        guest = f', guest MIPS {fmt(mips, "(vCPU 0)", 0)}' if sock else ''
        print(f'  {name:10s} {fmt(times, "s")} to the init line, peak RSS '
              f'{fmt(rsses, "MiB", 1)}{guest}{extra}')


def print_ratio(results, ours_name, ref_name, label, target=''):
    """The issue's ratio: the reference's time over ours, >= 1.0 = no slower."""
    ours, ref = results[ours_name][0], results.get(ref_name, ([],))[0]
    if ours and ref:
        print(f'  speed ratio {ref_name} / {ours_name} ({label}): '
              f'{statistics.median(ref) / statistics.median(ours):.2f}{target}')
    elif ref_name in results:
        print(f'  speed ratio {ref_name} / {ours_name}: n/a (a VMM did not reach the init line)')


def slof_main(args, ours_bin, common, qmp):
    """Through SLOF on both: ours with -bios, QEMU 7.2's default pseries."""
    slof = '/usr/share/qemu/slof.bin'
    qemu = shutil.which('qemu-system-ppc64')
    if not os.path.isfile(slof) or not qemu:
        print(f'linux-boot --slof: skipped: needs {slof} and Debian\'s qemu-system-ppc64 '
              '(WITH_REFERENCE_QEMU=1 scripts/install-deps.sh)')
        return 0
    vmms = [('fwnmi-slof', [ours_bin, '-M', 'pseries', '-bios', slof] + common + qmp[0],
             qmp[1]),
            ('qemu-slof', [qemu, '-M', 'pseries', '-vga', 'none'] + common, None)]
    results = measure(vmms, args.runs, args.timeout)
    print(f'linux-boot --slof: Linux 6.1 through SLOF -> "INIT: hello", -m 1G '
          f'-smp {args.smp}, median of {args.runs} alternating runs')
    report(vmms, results)
    print_ratio(results, 'fwnmi-slof', 'qemu-slof', 'both through SLOF')
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('build', nargs='?', default='build')
    ap.add_argument('--runs', type=int, default=3)
    ap.add_argument('--timeout', type=float, default=None,
                    help='seconds per boot (default 60, 120 with --slof)')
    ap.add_argument('--smp', type=int, default=1)
    ap.add_argument('--slof', action='store_true',
                    help='boot through SLOF: -bios on this VMM, default pseries on QEMU')
    args = ap.parse_args()
    if args.timeout is None:
        args.timeout = 120 if args.slof else 60

    kernel = kernel_path()
    initrd = os.path.join(args.build, 'tests', 'linux', 'linux-test-initramfs.cpio')
    for what, path in (('kernel', kernel), ('initramfs', initrd)):
        if not os.path.isfile(path):
            print(f'linux-boot: skipped: no {what} at {path} '
                  f'({"scripts/fetch-linux.sh" if what == "kernel" else "ninja -C BUILD"})')
            return 0
    append = 'console=hvc0 fwnmi.beats=0 quiet'
    common = ['-m', '1G', '-smp', str(args.smp), '-nographic', '-kernel', kernel,
              '-initrd', initrd, '-append', append]
    ours_bin = os.path.join(args.build, 'qemu-system-ppc64')
    tmp = tempfile.mkdtemp(prefix='linux-boot-')
    try:
        sock = os.path.join(tmp, 'qmp.sock')
        qmp = (['-qmp', f'unix:{sock},server=on,wait=off'], sock)
        if args.slof:
            return slof_main(args, ours_bin, common, qmp)
        return direct_main(args, ours_bin, common, qmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def direct_main(args, ours_bin, common, qmp):
    """Direct entry and x-vof=on here, against QEMU 7.2 with x-vof=on."""
    vmms = [('fwnmi-vmm', [ours_bin, '-M', 'pseries'] + common + qmp[0], qmp[1]),
            ('fwnmi-vof', [ours_bin, '-M', 'pseries,x-vof=on'] + common + qmp[0], qmp[1])]
    qemu = shutil.which('qemu-system-ppc64')
    if qemu:
        # -vga none: Debian's QEMU lacks the VGA BIOS unless ipxe/seabios are installed
        vmms.append(('qemu-7.2', [qemu, '-M', 'pseries,x-vof=on', '-vga', 'none'] + common,
                     None))
    else:
        print('linux-boot: no qemu-system-ppc64 (WITH_REFERENCE_QEMU=1 '
              'scripts/install-deps.sh): measuring this VMM only')
    results = measure(vmms, args.runs, args.timeout)
    print(f'linux-boot: Linux 6.1 -> "INIT: hello", -m 1G -smp {args.smp}, '
          f'median of {args.runs} alternating runs')
    report(vmms, results)
    print_ratio(results, 'fwnmi-vmm', 'qemu-7.2', 'direct entry', ' (target >= 1.0)')
    print_ratio(results, 'fwnmi-vof', 'qemu-7.2', 'both x-vof=on', ' (target >= 1.0)')
    return 0


if __name__ == '__main__':
    sys.exit(main())
