#!/usr/bin/env python3
"""The main job: Linux handles machine checks through FWNMI on this VMM.

    scripts/demo-linux.py --vmm build/qemu-system-ppc64 --kernel VMLINUX
                          [--initrd CPIO] [--append TEXT] [--smp N] [--all]

Boots the kernel (with the project's test init unless --initrd names your
own initramfs), then, over QMP:
  1. with the test init: has the init touch a page, finds its guest real
     address from the init's /proc/self/pagemap line and injects a
     recovered memory error there (x-inject-memory-error): Linux's MCE
     report, memory_failure() and the SIGBUS the process gets;
  2. a recovered SLB multihit on the last vCPU (x-inject-mce);
  3. query-fwnmi, then powers off (or quits, with your own initramfs).
Lines starting "demo:" are this script's; everything else is the guest's
console as it arrives (--all shows the whole boot log, not only its first
line and what follows "Run /init").
"""

import argparse
import os
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, 'tests', 'linux'))
from linuxvm import Fail, LinuxVM  # noqa: E402


ECHO = None


def say(text):
    if ECHO:
        ECHO.sync()
    print(f'demo: {text}', flush=True)


class Echo:
    """Copy the console to stdout as it arrives."""

    def __init__(self, vm, show_all):
        self.vm, self.show_all, self.shown = vm, show_all, 0
        self.booted = show_all
        self.stop = False
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while True:
            with self.vm.cond:
                while self.shown >= len(self.vm.lines) and not self.stop and \
                        not self.vm.exited:
                    self.vm.cond.wait(0.2)
                lines = self.vm.lines[self.shown:]
                self.shown += len(lines)
                done = (self.stop or self.vm.exited) and not lines
            for _, text in lines:
                if 'Linux version' in text and not self.booted:
                    print(text, flush=True)
                    print('    ... (boot messages; --all shows them)', flush=True)
                if 'Run /init' in text:
                    self.booted = True
                if self.booted:
                    print(text, flush=True)
            if done:
                return

    def sync(self):
        """Wait (briefly) until every console line so far is printed."""
        deadline = time.monotonic() + 0.5
        while time.monotonic() < deadline:
            with self.vm.cond:
                if self.shown >= len(self.vm.lines):
                    break
            time.sleep(0.01)
        time.sleep(0.02)

    def finish(self):
        time.sleep(0.3)
        with self.vm.cond:
            self.stop = True
            self.vm.cond.notify_all()
        self.thread.join(2)


def demo_test_init(vm, cpus):
    start = vm.mark()
    say('asking the init to touch a page of its own (console command "t")')
    vm.send('t\n')
    _, m, _ = vm.wait_line(r'INIT: page va (0x[0-9a-f]+) pa (0x[0-9a-f]+)', 10, start)
    pa = int(m.group(2), 16)
    time.sleep(0.2)
    say(f'QMP: x-inject-memory-error address={pa:#x} (recovered): the init\'s next '
        'read of that page takes a UE machine check')
    vm.qmp('x-inject-memory-error', address=pa)
    vm.wait_line(r'INIT: SIGBUS', 15, start)
    time.sleep(0.5)
    cpu = cpus - 1
    start = vm.mark()
    say(f'QMP: x-inject-mce cpu-index={cpu} srr1=0xc0000 (SLB multihit) recovered=true')
    vm.qmp('x-inject-mce', **{'cpu-index': cpu, 'srr1': 0xc0000, 'recovered': True})
    vm.wait_line(rf'MCE: CPU{cpu}: Unknown', 15, start)
    time.sleep(0.3)
    start = vm.mark()
    vm.send('h\n')
    vm.wait_line(r'INIT: alive', 10, start)


def demo_own_initrd(vm, cpus, ready):
    vm.wait_line(ready, 300)
    time.sleep(2)
    for cpu, (name, srr1) in enumerate([('SLB', 0xc0000), ('ERAT', 0x100000)]):
        cpu = cpu % cpus
        start = vm.mark()
        say(f'QMP: x-inject-mce cpu-index={cpu} srr1={srr1:#x} ({name} multihit) '
            'recovered=true')
        vm.qmp('x-inject-mce', **{'cpu-index': cpu, 'srr1': srr1, 'recovered': True})
        vm.wait_line(r'MCE: CPU\d+: machine check', 15, start)
        time.sleep(0.5)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--vmm', required=True)
    ap.add_argument('--kernel', required=True)
    ap.add_argument('--initrd', help='your own initramfs instead of the test init')
    ap.add_argument('--test-initrd', help='the test init (build/tests/linux/...cpio)')
    ap.add_argument('--append', default='', help='more kernel command line')
    ap.add_argument('--smp', type=int, default=2)
    ap.add_argument('--ready', default=r'Run /init as init process',
                    help='with --initrd: console line (regex) after which to inject')
    ap.add_argument('--all', action='store_true', help='show the whole boot log')
    args = ap.parse_args()

    own = args.initrd is not None
    initrd = args.initrd or args.test_initrd
    vm = LinuxVM(args.vmm, initrd, smp=args.smp, kernel=args.kernel,
                 test='serve', append=args.append)
    say(f'booting {args.kernel} with {"your initramfs " + initrd if own else "the test init"}'
        f' on {args.smp} vCPUs:')
    say(' '.join(vm.cmd))
    t0 = time.monotonic()
    vm.start()
    global ECHO
    echo = ECHO = Echo(vm, args.all)
    try:
        if own:
            demo_own_initrd(vm, args.smp, args.ready)
        else:
            vm.wait_line(r'INIT: serving commands', 300)
            say(f'Linux and the test init are up after {time.monotonic() - t0:.1f} s')
            demo_test_init(vm, args.smp)
        f = vm.qmp('query-fwnmi')
        time.sleep(0.3)
        say(f'QMP: query-fwnmi: handlers sreset={f["sreset-handler"]:#x} '
            f'mce={f["mce-handler"]:#x} (registered by Linux with ibm,nmi-register); '
            f'{f["requests"]} machine checks, {f["delivered"]} delivered to Linux\'s '
            f'handler, {f["interlocks"]} ibm,nmi-interlock calls')
        if own:
            vm.qmp('quit')
        else:
            say('powering off (console command "q")')
            vm.send('q\n')
        status = vm.wait_exit(30)
        echo.finish()
        say(f'VMM exit status {status}')
        return 0 if status == 0 else 1
    except Fail as e:
        echo.finish()
        say(f'FAILED: {e}')
        print(vm.tail(), file=sys.stderr)
        return 1
    finally:
        vm.kill()


if __name__ == '__main__':
    sys.exit(main())
