"""Drive a Linux guest on the VMM: console lines with timestamps, QMP.

    vm = LinuxVM(vmm, initrd, smp=2, test='serve')
    vm.start()                      # boots; QMP negotiated
    vm.wait_line(r'INIT: serving')  # regex on the console, returns the match
    vm.qmp('x-inject-mce', **{'cpu-index': 0, 'srr1': 0xc0000})
    vm.send('q\\n')                  # console input (the init's commands)
    status = vm.wait_exit(30)
    dst = LinuxVM(vmm, initrd, smp=2, incoming='unix:' + path)   # migration

The console (-nographic: stdio) and stderr are read by threads; each line
is kept with its host monotonic time. QMP runs over a unix socket in a
temporary directory; events are kept in order. A missing kernel raises
SystemExit with a FAIL line (run scripts/fetch-linux.sh).
"""

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time


def find_kernel():
    path = os.environ.get('LINUX_VMLINUX')
    if path:
        return path
    cache = os.environ.get('FWNMI_CACHE',
                           os.path.join(os.path.expanduser('~'), '.cache', 'fwnmi-vmm'))
    return os.path.join(cache, 'vmlinux')


def kernel_symbol(vmlinux, name):
    """The value of ELF64 symbol @name in @vmlinux (little-endian), or None."""
    import struct
    with open(vmlinux, 'rb') as f:
        data = f.read()
    if data[:4] != b'\x7fELF' or data[4] != 2:
        return None
    e = '<' if data[5] == 1 else '>'
    shoff, = struct.unpack_from(e + 'Q', data, 0x28)
    shentsize, shnum = struct.unpack_from(e + 'HH', data, 0x3a)
    secs = [struct.unpack_from(e + 'IIQQQQIIQQ', data, shoff + i * shentsize)
            for i in range(shnum)]
    for sec in secs:
        if sec[1] != 2:     # SHT_SYMTAB
            continue
        strtab = secs[sec[6]]
        want = name.encode()
        for off in range(sec[4], sec[4] + sec[5], 24):
            st_name, = struct.unpack_from(e + 'I', data, off)
            s = strtab[4] + st_name
            if data[s:s + len(want) + 1] == want + b'\0':
                return struct.unpack_from(e + 'Q', data, off + 8)[0]
    return None


class Fail(Exception):
    pass


class LinuxVM:
    def __init__(self, vmm, initrd, smp=1, test='serve', append='', machine='pseries',
                 mem='1G', qmp=True, kernel=None, extra=(), incoming=None):
        self.kernel = kernel or find_kernel()
        if not os.path.isfile(self.kernel):
            raise SystemExit(f'FAIL: no Linux kernel at {self.kernel}: run '
                             'scripts/fetch-linux.sh (or set LINUX_VMLINUX)')
        self.tmp = tempfile.mkdtemp(prefix='linuxvm-')
        self.sock_path = os.path.join(self.tmp, 'qmp.sock')
        append = f'console=hvc0 fwnmi.test={test} {append}'.strip()
        self.cmd = [vmm, '-M', machine, '-m', mem, '-smp', str(smp), '-nographic']
        if incoming:
            # a migration destination: same -M/-m/-smp, the state comes in
            self.cmd += ['-incoming', incoming]
        else:
            self.cmd += ['-kernel', self.kernel, '-initrd', initrd, '-append', append]
        if qmp:
            self.cmd += ['-qmp', f'unix:{self.sock_path},server=on,wait=off']
        self.cmd += list(extra)
        self.use_qmp = qmp
        self.lines = []          # (time, text) console
        self.errs = []           # (time, text) stderr
        self.events = []         # (time, dict)
        self.cond = threading.Condition()
        self.proc = None
        self.sock = None
        self.replies = []
        self.start_time = None
        self.exited = None

    # ---- process and readers ----

    def start(self):
        self.start_time = time.monotonic()
        self.proc = subprocess.Popen(self.cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, start_new_session=True)
        threading.Thread(target=self._reader, args=(self.proc.stdout, self.lines),
                         daemon=True).start()
        threading.Thread(target=self._reader, args=(self.proc.stderr, self.errs),
                         daemon=True).start()
        if self.use_qmp:
            self._qmp_connect()
        return self

    def _reader(self, f, store):
        pending = b''
        while True:
            chunk = os.read(f.fileno(), 65536)
            if not chunk:
                break
            pending += chunk
            *done, pending = pending.split(b'\n')
            now = time.monotonic()
            with self.cond:
                for line in done:
                    store.append((now, line.decode('utf-8', 'replace').rstrip('\r')))
                self.cond.notify_all()
        with self.cond:
            if pending:
                store.append((time.monotonic(), pending.decode('utf-8', 'replace')))
            if store is self.lines:
                self.exited = True
            self.cond.notify_all()

    def send(self, text):
        """Type @text on the guest console."""
        self.proc.stdin.write(text.encode())
        self.proc.stdin.flush()

    def wait_exit(self, timeout):
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def kill(self):
        if self.proc and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait()
        if self.sock:
            self.sock.close()
            self.sock = None
        shutil.rmtree(self.tmp, ignore_errors=True)

    # ---- console ----

    def wait_line(self, pattern, timeout=30, start=0):
        """Wait for a console line matching regex @pattern at index >= @start.
        Returns (index, match, time); raises Fail on timeout or exit."""
        rx = re.compile(pattern)
        deadline = time.monotonic() + timeout
        i = start
        with self.cond:
            while True:
                while i < len(self.lines):
                    m = rx.search(self.lines[i][1])
                    if m:
                        return i, m, self.lines[i][0]
                    i += 1
                left = deadline - time.monotonic()
                if left <= 0 or self.exited:
                    raise Fail(f'never saw {pattern!r} on the console'
                               + (' (VMM exited)' if self.exited else ' (timeout)'))
                self.cond.wait(min(left, 0.5))

    def count_lines(self, pattern, start=0):
        rx = re.compile(pattern)
        with self.cond:
            return sum(1 for _, t in self.lines[start:] if rx.search(t))

    def last_line_time(self, pattern, start=0):
        """Arrival time (time.monotonic()) of the last console line since
        @start matching @pattern, or None."""
        rx = re.compile(pattern)
        with self.cond:
            for when, t in reversed(self.lines[start:]):
                if rx.search(t):
                    return when
        return None

    def power_off(self, what='powered off'):
        """The init's console command "q" (power off through reboot()); the
        VMM must then exit 0."""
        self.send('q\n')
        status = self.wait_exit(30)
        check(status == 0, f'{what}, exit status {status}')

    def mark(self):
        """Index of the next console line (to search from)."""
        with self.cond:
            return len(self.lines)

    def tail(self, n=40):
        with self.cond:
            out = [t for _, t in self.lines[-n:]]
            err = [t for _, t in self.errs[-10:]]
        return '\n'.join(out + (['---- stderr ----'] + err if err else []))

    # ---- QMP ----

    def _qmp_connect(self):
        deadline = time.monotonic() + 10
        while True:
            try:
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.connect(self.sock_path)
                break
            except OSError:
                s.close()
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    raise Fail('cannot connect to QMP at ' + self.sock_path)
                time.sleep(0.02)
        self.sock = s
        threading.Thread(target=self._qmp_reader, daemon=True).start()
        self.qmp('qmp_capabilities')

    def _qmp_reader(self):
        buf = b''
        while True:
            try:
                chunk = self.sock.recv(65536)
            except OSError:
                break
            if not chunk:
                break
            buf += chunk
            *done, buf = buf.split(b'\n')
            now = time.monotonic()
            with self.cond:
                for line in done:
                    if not line.strip():
                        continue
                    msg = json.loads(line)
                    if 'event' in msg:
                        self.events.append((now, msg))
                    elif 'QMP' not in msg:
                        self.replies.append(msg)
                self.cond.notify_all()

    def qmp(self, name, **args):
        """Run a QMP command and return its 'return' value; raises Fail on error."""
        msg = {'execute': name}
        if args:
            msg['arguments'] = args
        with self.cond:
            n = len(self.replies)
        self.sock.sendall(json.dumps(msg).encode() + b'\n')
        deadline = time.monotonic() + 10
        with self.cond:
            while len(self.replies) <= n:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise Fail(f'no QMP reply to {name}')
                self.cond.wait(left)
            reply = self.replies[n]
        if 'error' in reply:
            raise Fail(f'QMP {name}: {reply["error"]}')
        return reply['return']

    def events_named(self, name, start=0):
        with self.cond:
            return [e for _, e in self.events[start:] if e['event'] == name]

    def event_mark(self):
        with self.cond:
            return len(self.events)

    def wait_event(self, name, timeout=10, start=0, pred=None):
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for t, e in self.events[start:]:
                    if e['event'] == name and (pred is None or pred(e)):
                        return e
                left = deadline - time.monotonic()
                if left <= 0:
                    raise Fail(f'no QMP event {name}')
                self.cond.wait(min(left, 0.5))


@contextlib.contextmanager
def console_on_failure(vms):
    """Run the block with @vms, a LinuxVM or {heading: LinuxVM} that the
    block may add to (a migration's destination): on Fail print each
    console's tail (under its heading, if any) and re-raise; at the end,
    however it ends, kill them all."""
    if isinstance(vms, LinuxVM):
        vms = {None: vms}
    try:
        yield vms
    except Fail:
        for heading, vm in vms.items():
            if heading:
                print(f'---- {heading} ----')
            print(vm.tail())
        raise
    finally:
        for vm in vms.values():
            vm.kill()


def check(cond, what):
    if not cond:
        raise Fail(what)
    print('  ok:', what)
