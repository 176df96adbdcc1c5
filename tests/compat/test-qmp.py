#!/usr/bin/env python3
"""
compat: QMP as QEMU 7.2 parses it (qobject/json-lexer.c, json-streamer.c,
monitor/qmp.c, qapi/qmp-dispatch.c, qom/qom-qmp-cmds.c), the VMM started
as libqtest starts it. Usage: test-qmp.py VMM [GUEST.elf]
"""
import json
import random
import time

import compat_util as cu
from libqtest import QTestVM


def vm(extra='-machine pseries -smp 2'):
    v = QTestVM(cu.VMM, extra)
    return v


def replies(v, n):
    return [v.qmp_reply() for _ in range(n)]


def err(desc, cls='GenericError'):
    return {'error': {'class': cls, 'desc': desc}}


# A script of requests with the replies QEMU 7.2 gives (checked against
# Debian's qemu-system-ppc64 -accel tcg -S), after the handshake.
SCRIPT = [
    ('{"execute": "query-name", "id": 1}', [{'return': {}, 'id': 1}]),
    ('{"execute": "query-target"}', [{'return': {'arch': 'ppc64'}}]),
    # Two strings side by side ('it''s' is not an escape): a parser error.
    ("{'execute': 'query-status', 'id': 'it''s'}", None),
    ("{'execute':'query-target', 'id': 'a\"b'}", [{'return': {'arch': 'ppc64'}, 'id': 'a"b'}]),
    ('@@@ {"execute": "query-target"}', [err("JSON parse error, stray '@'"),
                                         {'return': {'arch': 'ppc64'}}]),
    ('[1, 2]', [err('QMP input must be a JSON object')]),
    ('}', [err('JSON parse error, expecting value')]),
    ('{"execute": "query-target", "id": %d}', [err("JSON parse error, stray '%'"),
                                               err('JSON parse error, expecting value')]),
    ('nul\n', [err("JSON parse error, invalid keyword 'nul'")]),
    ('"abc\\q"', [err('JSON parse error, invalid escape sequence in string')]),
    ('{"execute": "nope"}', [err('The command nope has not been found', 'CommandNotFound')]),
    ('{"execute": "qmp_capabilities"}',
     [err('Capabilities negotiation is already complete, command ignored', 'CommandNotFound')]),
    ('{"exec-oob": "query-status", "id": 3}',
     [{'error': {'class': 'GenericError', 'desc': "QMP input member 'exec-oob' is unexpected"},
       'id': 3}]),
    ('{"execute": "query-target"}{"execute": "query-name"}',
     [{'return': {'arch': 'ppc64'}}, {'return': {}}]),
    ('{"execute":\n"query-target"\n}', [{'return': {'arch': 'ppc64'}}]),
]


def check(got, want, what):
    if want is None:
        assert all('error' in g for g in got), (what, got)
        return
    assert got == want, (what, got, want)


def run_script(v, send):
    """Send every request of SCRIPT through @send and check the replies."""
    for text, want in SCRIPT:
        send(v, text)
        n = len(want) if want else 1
        check(replies(v, n), want, text)


def send_whole(v, text):
    v.qmp_send_raw(text + ' ')


def send_bytes(v, text):
    for b in (text + ' ').encode():
        v.qmp_send_raw(bytes([b]))


def send_chunks(v, text):
    data = (text + ' ').encode()
    rnd = random.Random(len(data))
    i = 0
    while i < len(data):
        n = rnd.choice((1, 2, 3, 5, 7, 11))
        v.qmp_send_raw(data[i:i + n])
        i += n
        time.sleep(0.0005)


def test_handshake_and_greeting():
    v = vm()
    g = v.greeting['QMP']
    assert g['capabilities'] == ['oob'] and set(g['version']) == {'qemu', 'package'}, g
    r = v.qmp('query-status')
    assert r == err("Expecting capabilities negotiation with 'qmp_capabilities'",
                    'CommandNotFound'), r
    r = v.qmp('qmp_capabilities', {'enable': ['foo']})
    assert r == err("Parameter 'null' does not accept value 'foo'"), r
    v.handshake()
    assert v.quit()[0] == 0


def test_script_whole():
    v = vm()
    v.handshake()
    run_script(v, send_whole)
    assert v.quit()[0] == 0


def test_script_byte_by_byte():
    v = vm()
    v.qmp_send_raw(b'{"exe')
    v.qmp_send_raw(b'cute": "qmp_capabil')
    v.qmp_send_raw(b'ities"}')
    assert v.qmp_reply() == {'return': {}}
    run_script(v, send_bytes)
    assert v.quit()[0] == 0


def test_script_odd_chunks():
    v = vm()
    v.handshake()
    run_script(v, send_chunks)
    assert v.quit()[0] == 0


def test_garbage_between_commands():
    v = vm()
    v.handshake()
    rnd = random.Random(7)
    junk = [b'@', b'\x01', b'#$', b'\xff', b'?', b'~~~', b'\\', b'=']
    n_ok = 0
    for i in range(40):
        g = rnd.choice(junk)
        cmd = b'{"execute": "query-target", "id": %d}' % i
        v.qmp_send_raw(g + b' ' + cmd + b'\n')
        got = []
        while True:
            r = v.qmp_reply()
            got.append(r)
            if 'return' in r:
                break
        assert got[-1] == {'return': {'arch': 'ppc64'}, 'id': i}, got
        assert all(r['error']['desc'].startswith('JSON parse error, stray ') for r in got[:-1]), got
        n_ok += 1
    assert n_ok == 40
    # A lexical error inside a request drops it; the lexer resynchronises
    # at the next structural character.
    v.qmp_send_raw(b'{"execute": "query-target"\x02 {"execute": "query-name"}')
    assert v.qmp_reply() == err("JSON parse error, stray '\x02'")
    assert v.qmp_reply() == {'return': {}}
    assert v.quit()[0] == 0


def test_nesting_limit():
    v = vm()
    v.handshake()
    v.qmp_send_raw(b'[' * 1025)
    assert v.qmp_reply() == err('JSON nesting depth limit exceeded')
    assert v.qmp('query-target') == {'return': {'arch': 'ppc64'}}
    assert v.quit()[0] == 0


def test_oob():
    v = vm()
    assert v.qmp('qmp_capabilities', {'enable': ['oob']}) == {'return': {}}
    v.qmp_send_raw('{"exec-oob": "query-status", "id": 1}')
    r = v.qmp_reply()
    assert r == {'error': {'class': 'GenericError',
                           'desc': 'The command query-status does not support OOB'}, 'id': 1}, r
    v.qmp_send_raw('{"exec-oob": "nope"}')
    assert v.qmp_reply() == err('The command nope has not been found', 'CommandNotFound')
    assert v.qmp('query-target') == {'return': {'arch': 'ppc64'}}
    assert v.quit()[0] == 0


def test_queries():
    v = vm('-machine pseries -smp 2 -name vm1')
    v.handshake()
    assert v.qmp('query-status') == {'return': {'status': 'running', 'singlestep': False,
                                                'running': True}}
    assert v.qmp('query-name') == {'return': {'name': 'vm1'}}
    assert v.qmp('query-target') == {'return': {'arch': 'ppc64'}}
    names = [c['name'] for c in v.qmp('query-commands')['return']]
    for c in ('query-version', 'query-commands', 'query-name', 'query-machines',
              'query-target', 'query-cpus-fast', 'query-status', 'qom-list', 'qom-get',
              'qom-set', 'qom-list-types', 'x-exit-preconfig', 'qmp_capabilities', 'quit'):
        assert c in names, c
    ver = v.qmp('query-version')['return']
    assert set(ver['qemu']) == {'major', 'minor', 'micro'}
    machines = v.qmp('query-machines')['return']
    ps = [m for m in machines if m['name'] == 'pseries-7.2'][0]
    assert ps['alias'] == 'pseries' and ps['is-default'] is True, ps
    for k in ('cpu-max', 'hotpluggable-cpus', 'numa-mem-supported', 'deprecated',
              'default-cpu-type'):
        assert k in ps, k
    assert any(m['name'] == 'none' for m in machines)
    cpus = v.qmp('query-cpus-fast')['return']
    assert [c['cpu-index'] for c in cpus] == [0, 1]
    for i, c in enumerate(cpus):
        assert set(c) == {'cpu-index', 'qom-path', 'thread-id', 'props', 'target'}, c
        assert c['qom-path'] == '/machine/unattached/device[%d]' % i
        assert c['props'] == {'core-id': i, 'node-id': 0} and c['target'] == 'ppc64'
    assert v.quit()[0] == 0


def test_qom():
    v = vm('-machine pseries,cap-fwnmi=off -smp 2 -cpu power10')
    v.handshake()
    root = {p['name']: p['type'] for p in v.qmp('qom-list', {'path': '/'})['return']}
    assert root['machine'] == 'child<pseries-7.2-machine>', root
    m = {p['name']: p['type'] for p in v.qmp('qom-list', {'path': '/machine'})['return']}
    for cap, t in (('cap-fwnmi', 'bool'), ('cap-htm', 'bool'), ('cap-cfpc', 'string'),
                   ('cap-hpt-max-page-size', 'int'), ('x-vof', 'bool'),
                   ('peripheral', 'child<container>'), ('unattached', 'child<container>')):
        assert m.get(cap) == t, (cap, m)
    u = {p['name']: p['type'] for p in
         v.qmp('qom-list', {'path': '/machine/unattached'})['return']}
    assert u['device[1]'] == 'child<power10_v2.0-powerpc64-cpu>', u
    get = lambda path, prop: v.qmp('qom-get', {'path': path, 'property': prop})
    assert get('/machine', 'type') == {'return': 'pseries-7.2-machine'}
    assert get('/machine', 'cap-fwnmi') == {'return': False}
    assert get('/machine', 'cap-cfpc') == {'return': 'workaround'}
    assert get('/machine', 'cap-hpt-max-page-size') == {'return': 65536}
    assert get('/machine/unattached/device[1]', 'type') == \
        {'return': 'power10_v2.0-powerpc64-cpu'}
    assert get('/machine/peripheral', 'type') == {'return': 'container'}
    assert get('/nope', 'type') == err("Device '/nope' not found", 'DeviceNotFound')
    assert get('/machine/unattached/device[2]', 'type') == \
        err("Device '/machine/unattached/device[2]' not found", 'DeviceNotFound')
    assert get('/machine', 'nope') == err("Property 'pseries-7.2-machine.nope' not found")
    assert v.qmp('qom-get', {'path': '/machine'}) == err("Parameter 'property' is missing")
    assert v.qmp('qom-list', {}) == err("Parameter 'path' is missing")
    r = v.qmp('qom-set', {'path': '/machine', 'property': 'cap-fwnmi', 'value': True})
    assert 'after it was realized' in r['error']['desc'], r
    types = v.qmp('qom-list-types', {'implements': 'spapr-machine'})['return']
    assert {'name': 'pseries-7.2-machine', 'parent': 'spapr-machine'} in types, types
    assert all(t['name'] != 'spapr-machine' for t in types)      # abstract
    cpu_types = [t['name'] for t in v.qmp('qom-list-types', {'implements': 'cpu'})['return']]
    assert 'power9_v2.2-powerpc64-cpu' in cpu_types, cpu_types
    assert v.quit()[0] == 0


if __name__ == '__main__':
    cu.main([test_handshake_and_greeting, test_script_whole, test_script_byte_by_byte,
             test_script_odd_chunks, test_garbage_between_commands, test_nesting_limit,
             test_oob, test_queries, test_qom])
