"""Small helpers shared by the compat tests: a TAP runner, running the
VMM for its start-up output, and reading a flattened device tree."""
import os
import struct
import subprocess
import sys
import traceback

VMM = None      # set by main()
GUEST = None    # a guest ELF for -accel tcg start-ups, or None


def run_vmm(args, timeout=10, stdin=subprocess.DEVNULL):
    """Run the VMM to completion: (status, stdout, stderr)."""
    p = subprocess.run([VMM] + args, stdin=stdin, capture_output=True,
                       timeout=timeout, text=True)
    return p.returncode, p.stdout, p.stderr


def fdt_cpu_property(blob, name):
    """The first /cpus/* node's property @name as bytes, or None."""
    magic, total, off_struct, off_strings = struct.unpack('>IIII', blob[:16])
    assert magic == 0xd00dfeed
    pos, depth, path = off_struct, 0, []
    while pos < total:
        tag, = struct.unpack('>I', blob[pos:pos + 4])
        pos += 4
        if tag == 1:        # BEGIN_NODE
            end = blob.index(b'\0', pos)
            path.append(blob[pos:end].decode())
            pos = (end + 4) & ~3
        elif tag == 2:      # END_NODE
            path.pop()
        elif tag == 3:      # PROP
            length, nameoff = struct.unpack('>II', blob[pos:pos + 8])
            pos += 8
            value = blob[pos:pos + length]
            pos = (pos + length + 3) & ~3
            pname = blob[off_strings + nameoff:blob.index(b'\0', off_strings + nameoff)]
            if len(path) == 3 and path[1] == 'cpus' and pname.decode() == name:
                return value
        elif tag == 9:      # END
            break
    return None


def main(tests):
    global VMM, GUEST
    VMM = os.path.abspath(sys.argv[1])
    if len(sys.argv) > 2 and os.path.exists(sys.argv[2]):
        GUEST = os.path.abspath(sys.argv[2])
    print('1..%d' % len(tests))
    failed = 0
    for i, t in enumerate(tests, 1):
        try:
            t()
            print('ok %d %s' % (i, t.__name__))
        except Exception:
            failed += 1
            print('not ok %d %s' % (i, t.__name__))
            for line in traceback.format_exc().splitlines():
                print('# ' + line)
        sys.stdout.flush()
    sys.exit(1 if failed else 0)
