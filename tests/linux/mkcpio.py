#!/usr/bin/env python3
"""Write an initramfs (cpio "newc" format, uncompressed) without the cpio tool.

    mkcpio.py OUTPUT INIT [NAME=PATH ...]

The archive holds /dev, /dev/console (character device 5:1, so the kernel
can open the console for init even without a built-in initramfs), /proc,
/sys and /init (INIT, mode 0755), and each PATH as /NAME (mode 0644; the
kexec scenario's kernel and second initramfs). Owner root, timestamps 0: the output
depends only on INIT.
"""

import stat
import sys

MAGIC = b'070701'


def entry(ino, name, mode, data=b'', rdev=(0, 0), nlink=1):
    """One newc record: header, NUL-terminated name and data, each padded to 4."""
    name_b = name.encode() + b'\0'
    fields = [ino, mode, 0, 0, nlink, 0, len(data), 0, 0, rdev[0], rdev[1],
              len(name_b), 0]
    hdr = MAGIC + b''.join(b'%08x' % f for f in fields)
    out = hdr + name_b
    out += b'\0' * (-len(out) % 4)
    out += data
    out += b'\0' * (-len(out) % 4)
    return out


def main():
    if len(sys.argv) < 3 or any('=' not in a for a in sys.argv[3:]):
        sys.exit(__doc__)
    output, init = sys.argv[1], sys.argv[2]
    with open(init, 'rb') as f:
        init_data = f.read()
    records = [
        entry(1, 'dev', stat.S_IFDIR | 0o755, nlink=2),
        entry(2, 'dev/console', stat.S_IFCHR | 0o600, rdev=(5, 1)),
        entry(3, 'proc', stat.S_IFDIR | 0o555, nlink=2),
        entry(4, 'sys', stat.S_IFDIR | 0o555, nlink=2),
        entry(5, 'init', stat.S_IFREG | 0o755, init_data),
    ]
    for n, arg in enumerate(sys.argv[3:]):
        name, path = arg.split('=', 1)
        with open(path, 'rb') as f:
            records.append(entry(6 + n, name, stat.S_IFREG | 0o644, f.read()))
    records.append(entry(0, 'TRAILER!!!', 0))
    blob = b''.join(records)
    blob += b'\0' * (-len(blob) % 512)
    with open(output, 'wb') as f:
        f.write(blob)


if __name__ == '__main__':
    main()
