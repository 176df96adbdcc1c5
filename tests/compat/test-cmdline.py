#!/usr/bin/env python3
"""
compat: the command line and signals as QEMU 7.2's libqtest and libvirt
use them (tests/compat/libqtest.py starts the VMM with libqtest's full
option list). Usage: test-cmdline.py VMM [GUEST.elf]
"""
import json
import os
import re
import signal
import socket
import subprocess
import tempfile
import time

import compat_util as cu
from libqtest import QTestVM

SIGNAL_LINE = re.compile(r'^qemu-system-ppc64: terminating on signal (\d+) from pid (\d+) '
                         r'\((.+)\)$', re.M)


def vm(extra='-machine pseries'):
    return QTestVM(cu.VMM, extra)


def test_libqtest_pseries():
    v = vm('-machine pseries -smp 2')
    assert v.greeting['QMP']['capabilities'] == ['oob'], v.greeting
    v.handshake()
    assert v.qmp('query-status')['return']['status'] == 'running'
    assert v.qtest_cmd('writeq 0x100000 0x1122334455667788') == 'OK'
    assert v.qtest_cmd('readq 0x100000') == 'OK 0x1122334455667788'
    status, err = v.quit()
    assert status == 0, (status, err)
    m = SIGNAL_LINE.search(err)
    assert m and m.group(1) == '15' and m.group(2) == str(os.getpid()), err


def test_machine_none_2m():
    v = vm('-machine none -m 2M')
    v.handshake()
    assert v.qtest_cmd('writel 0x1ffffc 0xdeadbeef') == 'OK'
    assert v.qtest_cmd('readl 0x1ffffc') == 'OK 0x00000000deadbeef'
    assert v.qtest_cmd('readl 0x200000').startswith('FAIL')
    assert v.qmp('query-cpus-fast') == {'return': []}
    assert v.qmp('qom-get', {'path': '/machine', 'property': 'type'}) == \
        {'return': 'none-machine'}
    status, err = v.quit()
    assert status == 0, err
    st, out, err = cu.run_vmm(['-M', 'none', '-smp', '2', '-accel', 'qtest'])
    assert st == 1 and "The max CPUs supported by machine 'none' is 1" in err, err


def test_machine_help():
    st, out, err = cu.run_vmm(['-machine', 'help'])
    assert st == 0, err
    assert re.search(r'^none +empty machine$', out, re.M), out
    assert re.search(r'^pseries +', out, re.M), out


def test_qtest_log():
    with tempfile.TemporaryDirectory() as d:
        log = os.path.join(d, 'qtest.log')
        v = vm('-machine pseries -qtest-log ' + log)     # the last -qtest-log wins
        assert v.qtest_cmd('readb 0x0') == 'OK 0x0000000000000000'
        status, _ = v.quit()
        assert status == 0
        text = open(log).read()
        assert re.search(r'^\[R \+\d+\.\d+\] readb 0x0$', text, re.M), text
        assert re.search(r'^\[S \+\d+\.\d+\] OK 0x0000000000000000$', text, re.M), text
    for none in ('none', '/dev/null'):
        v = vm('-machine pseries -qtest-log ' + none)
        assert v.qtest_cmd('readb 0x0').startswith('OK')
        assert v.quit()[0] == 0


def test_cpu_models():
    for name, pvr in (('power8', 0x004d0200), ('power9', 0x004e1202), ('POWER9', 0x004e1202),
                      ('power9_v2.0', 0x004e1200), ('power10', 0x00800200),
                      ('power10_v1.0', 0x00800100), ('power8e', 0x004b0201)):
        v = vm('-machine pseries -smp 2 -cpu ' + name)
        assert v.qtest_cmd('cpu-get 1 pvr') == 'OK 0x%016x' % pvr, name
        fdt = bytes.fromhex(v.qtest_cmd('fdt')[5:])
        assert cu.fdt_cpu_property(fdt, 'cpu-version') == pvr.to_bytes(4, 'big'), name
        assert v.quit()[0] == 0
    for name in ('foo', 'host', 'power7'):
        st, out, err = cu.run_vmm(['-M', 'pseries', '-cpu', name, '-accel', 'qtest'])
        assert st == 1 and err == "qemu-system-ppc64: unable to find CPU model '%s'\n" % name, err
    st, out, err = cu.run_vmm(['-cpu', 'help'])
    assert st == 0 and 'power9_v2.2' in out and '(alias for power10_v2.0)' in out, out


def test_audio():
    st, out, err = cu.run_vmm(['-M', 'pseries', '-audio', 'none', '-audiodev', 'none,id=snd0',
                               '-accel', 'qtest', '-qtest', 'stdio'], stdin=subprocess.DEVNULL)
    assert st == 0, err
    st, out, err = cu.run_vmm(['-audiodev', 'none'])
    assert st == 1 and "Parameter 'id' is missing" in err, err
    st, out, err = cu.run_vmm(['-audiodev', 'alsa,id=x'])
    assert st == 1 and "Parameter 'driver' does not accept value 'alsa'" in err, err


def test_chardev_errors():
    cases = [
        (['-chardev', 'socket,path=/tmp/x.sock'], "chardev: no id specified"),
        (['-chardev', 'bogus,id=c'], "'bogus' is not a valid char driver name"),
        (['-chardev', 'null,id=c,foo=bar'], "Invalid parameter 'foo'"),
        (['-chardev', 'null,id=c', '-chardev', 'null,id=c'], "Duplicate ID 'c' for chardev"),
        (['-mon', 'chardev=nope,mode=control'], 'chardev "nope" not found'),
        (['-chardev', 'null,id=c', '-mon', 'chardev=c,mode=foo'],
         "Parameter 'mode' does not accept value 'foo'"),
        (['-mon', 'mode=control'], "Parameter 'chardev' is missing"),
    ]
    for args, want in cases:
        st, out, err = cu.run_vmm(args + ['-accel', 'qtest'])
        assert st == 1 and want in err and err.count('\n') == 1, (args, err)


def test_several_monitors():
    """A second QMP and an HMP, each on a -chardev server socket."""
    d = tempfile.mkdtemp()
    q2, h = os.path.join(d, 'q2.sock'), os.path.join(d, 'h.sock')
    v = vm('-machine pseries -name guest0 '
           '-chardev socket,id=q2,path=%s,server=on,wait=off -mon chardev=q2,mode=control '
           '-chardev socket,id=h,path=%s,server=on,wait=off -mon chardev=h' % (q2, h))
    v.handshake()
    s2 = socket.socket(socket.AF_UNIX)
    s2.connect(q2)
    f2 = s2.makefile('rwb', buffering=0)
    assert b'"QMP"' in f2.readline()
    f2.write(b'{"execute": "qmp_capabilities"}{"execute": "query-name"}')
    assert f2.readline().strip() == b'{"return": {}}'
    assert f2.readline().strip() == b'{"return": {"name": "guest0"}}'
    sh = socket.socket(socket.AF_UNIX)
    sh.connect(h)
    sh.sendall(b'info status\n')
    data = b''
    sh.settimeout(5)
    while b'VM status: running' not in data:
        data += sh.recv(4096)
    assert v.qmp('query-name') == {'return': {'name': 'guest0'}}
    assert v.quit()[0] == 0
    s2.close()
    sh.close()
    assert not os.path.exists(q2) and not os.path.exists(h)
    os.rmdir(d)


def test_chardev_stdio_mon():
    p = subprocess.Popen([cu.VMM, '-M', 'none', '-accel', 'qtest', '-display', 'none',
                          '-chardev', 'stdio,id=s0', '-mon', 'chardev=s0,mode=control'],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = p.communicate(b"{'execute': 'qmp_capabilities'}\n{'execute': 'quit'}", timeout=10)
    lines = out.decode().splitlines()
    assert p.returncode == 0, err
    assert lines[1] == '{"return": {}}' and lines[2] == '{"return": {}}', lines
    assert '"SHUTDOWN"' in lines[3], lines


def test_pseries_properties_qtest():
    """Every QEMU 7.2 pseries property, with values QEMU accepts."""
    props = ['cap-htm=on', 'cap-htm=off', 'cap-vsx=on', 'cap-dfp=off', 'cap-cfpc=broken',
             'cap-cfpc=workaround', 'cap-cfpc=FIXED', 'cap-sbbc=fixed', 'cap-ibs=fixed-ibs',
             'cap-ibs=fixed-ccd', 'cap-ibs=fixed-na', 'cap-hpt-max-page-size=64k',
             'cap-hpt-max-page-size=16M', 'cap-nested-hv=off', 'cap-large-decr=off',
             'cap-ccf-assist=off', 'cap-fwnmi=off', 'cap-rpt-invalidate=off', 'x-vof=on',
             'usb=off', 'graphics=off', 'dump-guest-core=on', 'ic-mode=xics']
    st, out, err = cu.run_vmm(['-M', 'pseries,' + ','.join(props), '-accel', 'qtest',
                               '-qtest', 'stdio'])
    assert st == 0 and err == '', err
    bad = [
        ('cap-fwnmi=maybe', "Parameter 'cap-fwnmi' expects 'on' or 'off'"),
        ('x-vof=foo', "Parameter 'x-vof' expects 'on' or 'off'"),
        ('cap-cfpc=foo', 'Invalid capability mode "foo" for cap-cfpc'),
        ('cap-ibs=fixed', 'Invalid capability mode "fixed" for cap-ibs'),
        ('cap-hpt-max-page-size=3', 'cap-hpt-max-page-size must be a power of 2'),
        ('cap-hpt-max-page-size=foo', "Parameter 'cap-hpt-max-page-size' expects size"),
        ('cap-foo=on', "Property 'pseries-7.2-machine.cap-foo' not found"),
        ('cap-ail-mode-3=on', "Property 'pseries-7.2-machine.cap-ail-mode-3' not found"),
        ('foo=bar', "Property 'pseries-7.2-machine.foo' not found"),
    ]
    for prop, want in bad:
        st, out, err = cu.run_vmm(['-M', 'pseries,' + prop, '-accel', 'qtest'])
        assert st == 1 and want in err and err.count('\n') == 1, (prop, err)


def test_pseries_properties_tcg():
    """Under the software CPU: QEMU's TCG warnings, and QEMU's errors for
    what cannot be honoured."""
    if not cu.GUEST:
        print('# no guest ELF: skipped')
        return
    refused = [
        ('cap-htm=on', 'No Transactional Memory support in TCG', 'cap-htm'),
        ('cap-vsx=on', 'VSX support not available', 'cap-vsx'),
        ('cap-dfp=on', 'DFP support not available', 'cap-dfp'),
        ('cap-rpt-invalidate=on', 'No H_RPT_INVALIDATE support in TCG', 'cap-rpt-invalidate'),
        ('cap-large-decr=on', 'No large decrementer support', 'cap-large-decr'),
        ('cap-nested-hv=on', 'No support for nested virtualisation with this CPU',
         'cap-nested-hv'),
    ]
    for prop, why, cap in refused:
        st, out, err = cu.run_vmm(['-M', 'pseries,' + prop, '-accel', 'tcg', '-S',
                                   '-kernel', cu.GUEST, '-display', 'none', '-nodefaults'])
        lines = err.splitlines()
        assert st == 1, (prop, err)
        assert lines[-2:] == ['qemu-system-ppc64: ' + why,
                              'Try appending -machine %s=off' % cap], (prop, err)
    st, out, err = cu.run_vmm(['-M', 'pseries,cap-hpt-max-page-size=16', '-accel', 'tcg',
                               '-kernel', cu.GUEST, '-S'])
    assert st == 1 and 'Require at least 4kiB hpt-max-page-size' in err, err
    # Defaults: QEMU 7.2's four TCG warnings, then it runs (-S, SIGTERM).
    p = subprocess.Popen([cu.VMM, '-M', 'pseries', '-accel', 'tcg', '-S', '-kernel', cu.GUEST,
                          '-display', 'none', '-nodefaults'], stderr=subprocess.PIPE, text=True)
    time.sleep(0.5)
    p.send_signal(signal.SIGTERM)
    err = p.communicate(timeout=10)[1]
    assert p.returncode == 0, err
    want = ["qemu-system-ppc64: warning: TCG doesn't support requested feature, %s" % c
            for c in ('cap-cfpc=workaround', 'cap-sbbc=workaround', 'cap-ibs=workaround',
                      'cap-ccf-assist=on')]
    assert err.splitlines()[:4] == want, err
    p = subprocess.Popen([cu.VMM, '-M', 'pseries,cap-cfpc=broken,cap-sbbc=broken,cap-ibs=broken,'
                          'cap-ccf-assist=off,cap-hpt-max-page-size=4k', '-accel', 'tcg',
                          '-kernel', cu.GUEST, '-S', '-display', 'none', '-nodefaults'],
                         stderr=subprocess.PIPE, text=True)
    time.sleep(0.5)
    p.send_signal(signal.SIGTERM)
    err = p.communicate(timeout=10)[1]
    assert p.returncode == 0, err
    assert err.splitlines()[0] == \
        'qemu-system-ppc64: warning: Many guests require at least 64kiB hpt-max-page-size', err


def test_preconfig_tcg_caps():
    """qom-set in the preconfig state is checked as the command line is."""
    if not cu.GUEST:
        print('# no guest ELF: skipped')
        return
    d = tempfile.mkdtemp()
    path = os.path.join(d, 'qmp.sock')
    p = subprocess.Popen([cu.VMM, '-M', 'pseries', '-accel', 'tcg', '-kernel', cu.GUEST,
                          '--preconfig', '-display', 'none', '-nodefaults',
                          '-qmp', 'unix:%s,server=on,wait=off' % path],
                         stderr=subprocess.PIPE, text=True)
    for _ in range(100):
        if os.path.exists(path):
            break
        time.sleep(0.05)
    s = socket.socket(socket.AF_UNIX)
    s.connect(path)
    f = s.makefile('rwb', buffering=0)
    f.readline()
    f.write(b'{"execute": "qmp_capabilities"}')
    assert f.readline().strip() == b'{"return": {}}'
    f.write(b'{"execute": "qom-set", "arguments": {"path": "/machine", '
            b'"property": "cap-htm", "value": true}}')
    r = json.loads(f.readline())
    assert r == {'error': {'class': 'GenericError',
                           'desc': 'No Transactional Memory support in TCG'}}, r
    f.write(b'{"execute": "qom-get", "arguments": {"path": "/machine", "property": "cap-htm"}}')
    assert json.loads(f.readline()) == {'return': False}
    p.send_signal(signal.SIGTERM)
    p.communicate(timeout=10)
    assert p.returncode == 0
    s.close()
    os.rmdir(d)


def test_preconfig():
    v = vm('-machine pseries --preconfig')
    v.handshake()
    assert v.qmp('query-status')['return']['status'] == 'preconfig'
    r = v.qmp('stop')
    assert r['error'] == {'class': 'GenericError', 'desc': "The command 'stop' is permitted "
                          "only after machine initialization has completed"}, r
    assert v.qmp('qom-set', {'path': '/machine', 'property': 'cap-fwnmi',
                             'value': False}) == {'return': {}}
    assert v.qmp('x-exit-preconfig') == {'return': {}}
    assert v.qmp('query-status')['return'] == {'status': 'running', 'singlestep': False,
                                                'running': True}
    assert v.qmp('qom-get', {'path': '/machine', 'property': 'cap-fwnmi'}) == {'return': False}
    r = v.qmp('x-exit-preconfig')
    assert r['error']['desc'] == 'The command is permitted only before machine initialization'
    assert v.quit()[0] == 0
    v = vm('-machine pseries --preconfig -S')
    v.handshake()
    assert v.qmp('x-exit-preconfig') == {'return': {}}
    assert v.qmp('query-status')['return']['status'] == 'prelaunch'
    assert v.quit()[0] == 0


def test_secondary_vcpus_stopped():
    """As QEMU, also under qtest: vCPUs other than the boot one are stopped
    until RTAS start-cpu (here from qtest), and again after a reset."""
    v = vm('-machine pseries -smp 3')

    def rtas(name, args, nret):
        for i, a in enumerate(args):
            assert v.qtest_cmd('writel 0x%x 0x%x' % (0x10000 + 4 * i, a)) == 'OK'
        rets = 0x10000 + 4 * len(args)
        assert v.qtest_cmd('rtas %s %d 0x10000 %d 0x%x' % (name, len(args), nret, rets)) == 'OK 0'
        return [int(v.qtest_cmd('readl 0x%x' % (rets + 4 * i))[3:], 16) for i in range(nret)]

    assert rtas('query-cpu-stopped-state', [0], 2) == [0, 2]
    assert rtas('query-cpu-stopped-state', [1], 2) == [0, 0]
    assert rtas('query-cpu-stopped-state', [2], 2) == [0, 0]
    assert rtas('start-cpu', [1, 0x4000, 0x77], 1) == [0]
    assert rtas('query-cpu-stopped-state', [1], 2) == [0, 2]
    assert v.qtest_cmd('cpu-get 1 nip') == 'OK 0x%016x' % 0x4000
    assert v.qtest_cmd('cpu-get 1 r3') == 'OK 0x%016x' % 0x77
    assert rtas('start-cpu', [1, 0x4000, 0], 1) == [0xffffffff]    # already running: -1
    assert v.qtest_cmd('mce 2 0x40000 0 0 1') == 'OK ignored'       # stopped vCPU
    assert v.qtest_cmd('system_reset') == 'OK'
    assert rtas('query-cpu-stopped-state', [1], 2) == [0, 0]
    assert v.quit()[0] == 0


def test_signals():
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        v = vm('-machine pseries')
        v.handshake()
        v.proc.send_signal(sig)
        obj = v.qmp_recv()
        assert obj.get('event') == 'SHUTDOWN', obj
        assert obj['data'] == {'guest': False, 'reason': 'host-signal'}, obj
        status, err = v.quit(sig)
        assert status == 0, (sig, status, err)
        m = SIGNAL_LINE.search(err)
        assert m and int(m.group(1)) == sig and int(m.group(2)) == os.getpid(), err
        assert os.path.basename(m.group(3).split()[0]).startswith('python'), err


if __name__ == '__main__':
    cu.main([test_libqtest_pseries, test_machine_none_2m, test_machine_help, test_qtest_log,
             test_cpu_models, test_audio, test_chardev_errors, test_several_monitors,
             test_chardev_stdio_mon, test_pseries_properties_qtest, test_pseries_properties_tcg,
             test_preconfig, test_preconfig_tcg_caps, test_secondary_vcpus_stopped, test_signals])
