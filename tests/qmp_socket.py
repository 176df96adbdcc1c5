"""The QMP socket the test drivers share: connect to a VMM's unix-socket
monitor, retrying while the VMM starts (it creates the socket only once
its options are parsed)."""
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
