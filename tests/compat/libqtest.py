"""
Start the VMM exactly as QEMU 7.2's libqtest does (tests/qtest/libqtest.c,
qtest_init_without_qmp_handshake): the harness listens on two unix
sockets, the VMM connects to both as a client, and is killed with
SIGTERM at the end (any exit status but 0 is a failure there).
"""
import json
import os
import signal
import socket
import subprocess
import tempfile
import time

NL = ''


class QTestVM:
    def __init__(self, binary, extra_args='-machine pseries', env=None):
        self.dir = tempfile.mkdtemp(prefix='compat-')
        self.qtest_path = os.path.join(self.dir, 'qtest.sock')
        self.qmp_path = os.path.join(self.dir, 'qmp.sock')
        self.log = os.path.join(self.dir, 'stderr')
        qs = socket.socket(socket.AF_UNIX)
        qs.bind(self.qtest_path)
        qs.listen(1)
        ms = socket.socket(socket.AF_UNIX)
        ms.bind(self.qmp_path)
        ms.listen(1)
        # libqtest's option list, in its order.
        cmd = ('exec %s -qtest unix:%s -qtest-log /dev/null '
               '-chardev socket,path=%s,id=char0 -mon chardev=char0,mode=control '
               '-display none -audio none %s -accel qtest'
               % (binary, self.qtest_path, self.qmp_path, extra_args))
        self.errf = open(self.log, 'w+')
        self.proc = subprocess.Popen(['sh', '-c', cmd], stderr=self.errf,
                                     stdin=subprocess.DEVNULL, env=env)
        qs.settimeout(10)
        ms.settimeout(10)
        self.qtest, _ = qs.accept()
        self.qmp_sock, _ = ms.accept()
        qs.close()
        ms.close()
        self.qtest_buf = b''
        self.qmp_buf = b''
        self.events = []
        self.greeting = self.qmp_recv()

    # ---- qtest ----
    def qtest_cmd(self, line):
        self.qtest.sendall(line.encode() + b'\n')
        while b'\n' not in self.qtest_buf:
            data = self.qtest.recv(65536)
            if not data:
                raise EOFError('qtest connection closed')
            self.qtest_buf += data
        reply, self.qtest_buf = self.qtest_buf.split(b'\n', 1)
        return reply.decode()

    # ---- QMP ----
    def qmp_recv(self, timeout=10):
        """The next JSON value from the QMP socket."""
        dec = json.JSONDecoder()
        self.qmp_sock.settimeout(timeout)
        while True:
            text = self.qmp_buf.decode('utf-8', 'replace').lstrip()
            if text:
                try:
                    obj, end = dec.raw_decode(text)
                    self.qmp_buf = text[end:].encode()
                    return obj
                except ValueError:
                    pass
            data = self.qmp_sock.recv(65536)
            if not data:
                raise EOFError('QMP connection closed')
            self.qmp_buf += data

    def qmp_reply(self, timeout=10):
        """The next reply, keeping events aside."""
        while True:
            obj = self.qmp_recv(timeout)
            if 'event' in obj:
                self.events.append(obj)
                continue
            return obj

    def qmp_send_raw(self, data):
        self.qmp_sock.sendall(data if isinstance(data, bytes) else data.encode())

    def qmp(self, execute, arguments=None, **kw):
        req = {'execute': execute}
        if arguments is not None:
            req['arguments'] = arguments
        req.update(kw)
        self.qmp_send_raw(json.dumps(req) + NL)
        return self.qmp_reply()

    def handshake(self):
        r = self.qmp('qmp_capabilities')
        assert r == {'return': {}}, r
        return r

    # ---- end ----
    def quit(self, sig=signal.SIGTERM):
        """As libqtest's qtest_quit: SIGTERM, wait, the status must be 0."""
        self.proc.send_signal(sig)
        status = self.proc.wait(timeout=10)
        self.errf.seek(0)
        err = self.errf.read()
        self.errf.close()
        for s in (self.qtest, self.qmp_sock):
            s.close()
        for p in (self.qtest_path, self.qmp_path, self.log):
            try:
                os.unlink(p)
            except OSError:
                pass
        os.rmdir(self.dir)
        return status, err
