#!/usr/bin/env python3
"""The FWNMI journal end to end (-machine pseries,fwnmi-journal=PATH).

    journal-test.py --vmm PATH --guest JOURNAL-GUEST.elf --burst-guest MCE-BURST.elf

Reads journals with its own parser of the documented format (zlib's
CRC-32), independent of the VMM's reader, and checks:
  * killed: machine checks injected into mce-burst, then SIGKILL: every
    delivery the VMM reported is on disk, the file is clean, and a new VMM
    continues it (boot 2, same record count, no warnings);
  * fatal: journal-guest dies of a nested machine check; GUEST_PANICKED
    carries both records, byte-identical to the file's, and the file has a
    fatal-event record naming them;
  * handed over: after system_reset the new boot receives both logs through
    check-exception and event-scan, byte-identical, once each; a new VMM
    on the same journal hands nothing twice, and hands a new process's
    fatal logs to the next process;
  * bad input: a corrupt record in the middle and a torn record at the end
    give one warning line each and lose nothing else; a foreign file, a
    directory and a busy journal are one-line errors with exit status 1; a
    full file system (RLIMIT_FSIZE) leaves the file intact.
"""

import argparse
import os
import re
import resource
import signal
import struct
import subprocess
import sys
import tempfile
import time
import zlib
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from qmp_socket import Qmp  # noqa: E402  (tests/qmp_socket.py)

SRR1_LOADSTORE = 0x200000
DSISR_UE_PTW = 0x4000
HDR_LEN = 32


def parse(data):
    """Records of a journal file: [(offset, dict)], plus bad byte ranges."""
    assert data[:8] == b'FWNMIJNL', 'bad file magic'
    version, hlen = struct.unpack('>HH', data[8:12])
    assert version == 1 and hlen == HDR_LEN
    assert zlib.crc32(data[:28]) == struct.unpack('>I', data[28:32])[0], 'header CRC'
    recs, bad, off = [], [], HDR_LEN
    while off < len(data):
        ok = False
        if data[off:off + 4] == b'FJRC' and off + 12 <= len(data):
            length = struct.unpack('>I', data[off + 8:off + 12])[0]
            if 32 <= length <= 4096 and off + length <= len(data):
                body = data[off:off + length]
                if zlib.crc32(body[:-4]) == struct.unpack('>I', body[-4:])[0]:
                    ok = True
        if not ok:
            bad.append(off)
            off += 1
            continue
        rv, rtype, _, _, seq = struct.unpack('>HHIIQ', body[4:24])
        p = body[24:-4]
        t, boot = struct.unpack('>QQ', p[:16])
        rec = {'type': rtype, 'seq': seq, 'boot': boot, 'time': t}
        if rtype == 1:
            cpu, disp, flags, loglen, srr1, dar, nip, dsisr, _ = struct.unpack(
                '>IBBHQQQII', p[16:56])
            assert len(p) == 56 + loglen
            rec.update(cpu=cpu, disp=disp, recovered=bool(flags & 1), srr1=srr1,
                       dar=dar, nip=nip, dsisr=dsisr, log=p[56:].hex())
        elif rtype == 2:
            nrefs, rlen, _ = struct.unpack('>HHI', p[16:24])
            rec['refs'] = list(struct.unpack(f'>{nrefs}Q', p[24:24 + 8 * nrefs]))
            rec['reason'] = p[24 + 8 * nrefs:].decode()
        elif rtype == 3:
            ref, via, _ = struct.unpack('>QII', p[16:32])
            rec.update(ref=ref, via=via)
        recs.append((off, rec))
        off += length
    return recs, bad


def records(path):
    with open(path, 'rb') as f:
        recs, bad = parse(f.read())
    assert not bad, f'{path}: unparsable bytes at {bad[:4]}...'
    return [r for _, r in recs]


def without_tcg_warnings(err):
    """stderr without the start-up warnings QEMU 7.2 also prints under TCG
    for the default pseries caps (cap-cfpc=workaround, ...)."""
    return ''.join(l for l in err.splitlines(keepends=True)
                   if "warning: TCG doesn't support requested feature" not in l)


class Vm:
    def __init__(self, args, guest, journal, tmp, qmp=True, smp=1, limit=None):
        self.sock = os.path.join(tmp, 'qmp.sock')
        cmd = [args.vmm, '-M', f'pseries,fwnmi-journal={journal}', '-m', '256M',
               '-smp', str(smp), '-nographic', '-kernel', guest]
        if qmp:
            cmd += ['-S', '-qmp', f'unix:{self.sock},server=on,wait=off']

        def pre():
            if limit is not None:
                resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True, preexec_fn=pre)
        self.out = []
        self.qmp = Qmp(self.sock, time.monotonic() + 10) if qmp else None
        if self.qmp:
            self.qmp.cmd('cont')        # started paused: no event is missed

    def wait_line(self, pattern, timeout=20):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                break
            self.out.append(line.rstrip('\n'))
            m = re.search(pattern, line)
            if m:
                return m
        raise AssertionError(f'no line matching {pattern!r}; console:\n' + '\n'.join(self.out))

    def finish(self, timeout=20):
        out, err = self.proc.communicate(timeout=timeout)
        self.out += out.splitlines()
        return self.proc.returncode, err


def handed_logs(out):
    """[(how, hex of the log)] as the guest printed them, 32 bytes a line."""
    logs = []
    for line in out:
        m = re.match(r'journal-guest: (check-exception|event-scan): log \d+: (\d+) bytes$', line)
        if m:
            logs.append([m.group(1), '', int(m.group(2))])
        m = re.match(r'journal-guest: log \d+ \+(\d+): ([0-9a-f]+)$', line)
        if m:
            assert int(m.group(1)) * 2 == len(logs[-1][1]), line
            logs[-1][1] += m.group(2)
    assert all(len(h) == 2 * n for _, h, n in logs), logs
    return [(how, h) for how, h, _ in logs]


def test_killed(args, tmp):
    j = os.path.join(tmp, 'killed.jnl')
    vm = Vm(args, args.burst_guest, j, tmp, smp=2)
    vm.wait_line(r'mce-burst: ready')
    dars = []
    for i in range(40):
        dar = 0x100000 + 8 * i
        dars.append(dar)
        r = vm.qmp.cmd('x-inject-mce', **{'cpu-index': i % 2, 'srr1': SRR1_LOADSTORE,
                                          'dsisr': DSISR_UE_PTW, 'dar': dar,
                                          'recovered': True})
        assert r['result'] in ('delivered', 'queued'), r
        deadline = time.monotonic() + 10
        while True:                     # handled and interlocked
            f = vm.qmp.cmd('query-fwnmi')
            if f['interlock-holder'] == -1 and not f['pending']:
                break
            assert time.monotonic() < deadline, f
            time.sleep(0.002)
    delivered = vm.qmp.cmd('query-fwnmi')['delivered']
    vm.proc.send_signal(signal.SIGKILL)
    vm.finish()
    recs = records(j)
    mces = [r for r in recs if r['type'] == 1]
    assert len(mces) == delivered == 40, (len(mces), delivered)
    assert [r['seq'] for r in mces] == list(range(1, len(mces) + 1))
    assert all(r['disp'] == 1 and r['boot'] == 1 and r['recovered'] for r in mces)
    assert [r['dar'] for r in mces] == dars[:len(mces)]
    # the log's MC section EA (offset 8 + 16 + 48 + 24 + 0x18) is the DAR
    assert all(int(r['log'][2 * 120:2 * 128], 16) == r['dar'] for r in mces)
    vm = Vm(args, args.burst_guest, j, tmp, smp=2)
    vm.wait_line(r'mce-burst: ready')
    jn = vm.qmp.cmd('query-fwnmi')['journal']
    assert (jn['boot'], jn['records'], jn['warnings']) == (2, len(mces), []), jn
    vm.qmp.cmd('quit')
    vm.finish()
    print(f'ok: killed: {delivered} reported deliveries, {len(mces)} records on disk, '
          f'continued as boot 2')


def fatal_boot(args, tmp, j):
    """journal-guest dies of a nested machine check; returns the event's records."""
    vm = Vm(args, args.guest, j, tmp)
    e = vm.qmp.event('GUEST_PANICKED')
    recs = e['data']['info']['fwnmi-records']
    return vm, recs


def test_fatal_and_handover(args, tmp):
    j = os.path.join(tmp, 'fatal.jnl')
    vm, recs = fatal_boot(args, tmp, j)
    assert [r['disposition'] for r in recs] == ['delivered', 'nested-ignored'], recs
    assert e_info_ok(recs)
    file = records(j)
    mces = {r['seq']: r for r in file if r['type'] == 1}
    fatal = [r for r in file if r['type'] == 2]
    assert len(fatal) == 1 and fatal[0]['refs'] == [r['seq'] for r in recs], fatal
    assert fatal[0]['reason'].startswith('nested synchronous machine check on CPU 0')
    for r in recs:
        assert mces[r['seq']]['log'] == r['log'], 'event log != file log'
    q = vm.qmp.cmd('query-fwnmi')['journal']
    assert [r['log'] for r in q['fatal']] == [r['log'] for r in recs]

    # system_reset: the next boot gets both logs, byte for byte, once each.
    vm.qmp.cmd('system_reset')
    vm.wait_line(r'journal-guest: 2 handed-over logs, powering off')
    status, err = vm.finish()
    assert status == 0, (status, err)
    got = handed_logs(vm.out)
    assert got == [("check-exception", recs[0]["log"]), ("event-scan", recs[1]["log"])], (got, vm.out)
    hand = [r for r in records(j) if r['type'] == 3]
    assert [(h['ref'], h['via'], h['boot']) for h in hand] == \
        [(recs[0]['seq'], 2, 2), (recs[1]['seq'], 1, 2)], hand
    print(f'ok: fatal: GUEST_PANICKED and the file hold records {fatal[0]["refs"]}; '
          f'handed to boot 2 after system_reset, byte-identical')

    # A new process: nothing is handed twice; it dies again (no monitor: exit 1) ...
    vm = Vm(args, args.guest, j, tmp, qmp=False)
    status, err = vm.finish()
    assert status == 1 and 'no handed-over logs' in '\n'.join(vm.out), (status, vm.out)
    file = records(j)
    fatal = [r for r in file if r['type'] == 2]
    assert len(fatal) == 2 and fatal[1]['boot'] == 3, fatal
    mces = {r['seq']: r for r in file if r['type'] == 1}
    want = [mces[s]['log'] for s in fatal[1]['refs']]
    # ... and the next process receives that boot's logs.
    vm = Vm(args, args.guest, j, tmp, qmp=False)
    status, err = vm.finish()
    assert status == 0, (status, err, vm.out)
    assert [log for _, log in handed_logs(vm.out)] == want
    print('ok: handed over across processes once each: boot 3 logs to boot 4')


def e_info_ok(recs):
    return all(len(r['log']) == 2 * 136 and r['cpu'] == 0 for r in recs)


def test_bad_input(args, tmp):
    j = os.path.join(tmp, 'fatal.jnl')          # written by test_fatal_and_handover
    with open(j, 'rb') as f:
        good = f.read()
    first_len = struct.unpack('>I', good[HDR_LEN + 8:HDR_LEN + 12])[0]
    n_before = len(records(j))

    # Corrupt first record: one warning line; the bytes stay, the rest is kept.
    bad = bytearray(good)
    bad[HDR_LEN + 40] ^= 0x40
    c = os.path.join(tmp, 'corrupt.jnl')
    with open(c, 'wb') as f:
        f.write(bad)
    vm = Vm(args, args.guest, c, tmp, qmp=False)
    status, err = vm.finish()
    warn = [l for l in err.splitlines() if 'fwnmi-journal' in l]
    assert warn == [f'qemu-system-ppc64: warning: fwnmi-journal {c}: skipped {first_len} '
                    f'corrupt bytes at offset {HDR_LEN}'], err
    with open(c, 'rb') as f:
        now = f.read()
    assert now[:len(bad)] == bytes(bad), 'existing bytes were rewritten'
    recs, bad_offs = parse(now)
    assert len(recs) > n_before - 1 and bad_offs, (len(recs), n_before)

    # Torn last record: warned, cut, appended after the last valid record.
    t = os.path.join(tmp, 'torn.jnl')
    with open(t, 'wb') as f:
        f.write(good + good[HDR_LEN:HDR_LEN + 70])
    vm = Vm(args, args.guest, t, tmp, qmp=False)
    status, err = vm.finish()
    assert f'ignored 70 bytes of a torn or corrupt record at offset {len(good)} (the end ' \
           f'of the file)' in err, err
    with open(t, 'rb') as f:
        now = f.read()
    assert now[:len(good)] == good
    assert len(records(t)) > n_before

    # Foreign file, directory, busy journal: one-line errors, exit 1, untouched.
    fz = os.path.join(tmp, 'notes.txt')
    with open(fz, 'w') as f:
        f.write('precious\n')
    for path, msg in ((fz, 'not an FWNMI journal (bad header); refusing to write to it'),
                      (tmp, 'cannot open for writing: Is a directory')):
        vm = Vm(args, args.guest, path, tmp, qmp=False)
        status, err = vm.finish()
        err = without_tcg_warnings(err)
        assert status == 1 and err == f'qemu-system-ppc64: -machine fwnmi-journal={path}: ' \
                                      f'{msg}\n', (status, err)
    with open(fz) as f:
        assert f.read() == 'precious\n'
    busy = Vm(args, args.burst_guest, j, tmp)
    busy.wait_line(r'mce-burst: ready')
    vm = Vm(args, args.guest, j, tmp, qmp=False)
    status, err = vm.finish()
    assert status == 1 and 'in use by another process' in err, err
    busy.qmp.cmd('quit')
    busy.finish()

    # Full: the records that do not fit are reported and not half-written.
    full = os.path.join(tmp, 'full.jnl')
    with open(full, 'wb') as f:
        f.write(good)
    vm = Vm(args, args.guest, full, tmp, qmp=False, limit=len(good) + 100)
    status, err = vm.finish()
    assert status == 1 and 'cannot append record' in err and 'File too large' in err, err
    with open(full, 'rb') as f:
        assert f.read() == good
    print('ok: bad input: corrupt and torn records warned and kept apart, foreign/'
          'directory/busy refused, full file system leaves the file intact')


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--vmm', required=True)
    ap.add_argument('--guest', required=True)
    ap.add_argument('--burst-guest', required=True)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix='journal-') as tmp:
        test_killed(args, tmp)
        test_fatal_and_handover(args, tmp)
        test_bad_input(args, tmp)


if __name__ == '__main__':
    try:
        main()
    except AssertionError as e:
        print(f'FAIL: {e}')
        sys.exit(1)
