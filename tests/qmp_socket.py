"""The QMP socket the test drivers share: connect to a VMM's unix-socket
monitor, retrying while the VMM starts (it creates the socket only once
its options are parsed), and a small QMP client on top of it."""
import json
import select
import socket
import time


def connect_unix(path, deadline):
    """A connected AF_UNIX stream socket to @path; retries until the
    monotonic @deadline, then raises the last error."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    while True:
        try:
            sock.connect(path)
            return sock
        except OSError:
            if time.monotonic() > deadline:
                sock.close()
                raise
            time.sleep(0.01)


class Qmp:
    """A negotiated QMP connection. Events that arrive while a reply is
    awaited are kept in .events, in order; requests may be pipelined
    (send() several, then reply() as many times)."""

    def __init__(self, path, deadline):
        self.sock = connect_unix(path, deadline)
        self.buf = b''
        self.events = []
        self.read()                                 # greeting
        self.cmd('qmp_capabilities')

    def read(self, timeout=None):
        """The next message; None if @timeout seconds pass without one."""
        while b'\n' not in self.buf:
            if timeout is not None and not select.select([self.sock], [], [], timeout)[0]:
                return None
            data = self.sock.recv(65536)
            if not data:
                raise EOFError('QMP connection closed')
            self.buf += data
        line, self.buf = self.buf.split(b'\n', 1)
        return json.loads(line)

    def send(self, obj):
        self.sock.sendall(json.dumps(obj).encode() + b'\n')

    def reply_raw(self):
        """The next reply, error or not (events are kept)."""
        while True:
            msg = self.read()
            if 'event' not in msg:
                return msg
            self.events.append(msg)

    def reply(self, what='QMP error'):
        """The next reply's return value; RuntimeError for an error."""
        msg = self.reply_raw()
        if 'error' in msg:
            raise RuntimeError(f'{what}: {msg["error"]["desc"]}')
        return msg['return']

    def cmd(self, name, **args):
        req = {'execute': name}
        if args:
            req['arguments'] = args
        self.send(req)
        return self.reply(name)

    def wait_event(self, pred, timeout):
        """The first kept or arriving event @pred accepts (removed from
        .events); TimeoutError after @timeout seconds."""
        deadline = time.monotonic() + timeout
        while True:
            for i, e in enumerate(self.events):
                if pred(e):
                    return self.events.pop(i)
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError('event not seen')
            msg = self.read(min(left, 0.2))
            if msg is not None:
                self.events.append(msg)

    def event(self, name, timeout=20):
        return self.wait_event(lambda e: e['event'] == name, timeout)

    def drain_events(self):
        """Read everything until the VMM closes the connection."""
        try:
            while True:
                msg = self.read()
                if 'event' in msg:
                    self.events.append(msg)
        except (EOFError, OSError, ValueError):
            pass
