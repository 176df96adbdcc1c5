#!/usr/bin/env python3
"""Boot a test guest on the VMM and check its console output.

    run-guest.py --vmm PATH [--timeout SECONDS] [--expect REGEX ...]
                 [--expect-file FILE ...] [--exit-code N] -- VMM-ARGS...

Starts `PATH VMM-ARGS...` (the VMM arguments include `-kernel GUEST`),
kills it if it runs longer than the timeout, and passes when
  * the exit status is the expected one (0 by default: the guest powered
    off; a guest that fails calls ibm,os-term and the VMM exits with 1),
  * every expected regex matches a line of stdout, in the given order
    (re.search on each line; later patterns match later lines),
  * no forbidden pattern matches any line.
Expectation files hold one regex per line; blank lines and lines starting
with '#' are ignored, and a line starting with '!' is a forbidden pattern.
On failure it prints what was expected next to what was seen.
"""

import argparse
import os
import re
import shlex
import signal
import subprocess
import sys


def load_expectations(args):
    expected, forbidden = [], []
    for path in args.expect_file:
        with open(path, encoding='utf-8') as f:
            for lineno, line in enumerate(f, 1):
                line = line.rstrip('\n')
                if not line.strip() or line.lstrip().startswith('#'):
                    continue
                target = forbidden if line.startswith('!') else expected
                pattern = line[1:] if line.startswith('!') else line
                try:
                    target.append(re.compile(pattern))
                except re.error as e:
                    sys.exit(f'{path}:{lineno}: bad regex {pattern!r}: {e}')
    for pattern in args.expect:
        expected.append(re.compile(pattern))
    for pattern in args.forbid:
        forbidden.append(re.compile(pattern))
    return expected, forbidden


def run(cmd, timeout):
    """Run cmd; return (exit status or None on timeout, stdout, stderr)."""
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
        status = proc.returncode
    except subprocess.TimeoutExpired:
        # the VMM runs in its own session: end it and anything it started
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        out, err = proc.communicate()
        status = None
    return (status, out.decode('utf-8', 'replace'),
            err.decode('utf-8', 'replace'))


def match_in_order(expected, lines):
    """Return [(pattern, line index or None)]; stops matching at the first miss."""
    result, pos, missed = [], 0, False
    for pattern in expected:
        found = None
        if not missed:
            for i in range(pos, len(lines)):
                if pattern.search(lines[i]):
                    found = i
                    pos = i + 1
                    break
            missed = found is None
        result.append((pattern, found))
    return result


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--vmm', required=True, help='the VMM executable')
    ap.add_argument('--timeout', type=float, default=10.0)
    ap.add_argument('--exit-code', type=int, default=0)
    ap.add_argument('--expect', action='append', default=[],
                    help='regex a line must match (in order)')
    ap.add_argument('--forbid', action='append', default=[],
                    help='regex no line may match')
    ap.add_argument('--expect-file', action='append', default=[])
    ap.add_argument('--expect-stderr', action='append', default=[],
                    help='regex that some stderr line must match (any order)')
    ap.add_argument('--forbid-stderr', action='append', default=[],
                    help='regex that no stderr line may match')
    ap.add_argument('vmm_args', nargs=argparse.REMAINDER)
    args = ap.parse_args()
    vmm_args = args.vmm_args
    if vmm_args and vmm_args[0] == '--':
        vmm_args = vmm_args[1:]

    expected, forbidden = load_expectations(args)
    cmd = [args.vmm] + vmm_args
    status, out, err = run(cmd, args.timeout)
    lines = [l.rstrip('\r') for l in out.split('\n')]

    problems = []
    if status is None:
        problems.append(f'timed out after {args.timeout:g} s (VMM killed)')
    elif status != args.exit_code:
        problems.append(f'exit status {status}, expected {args.exit_code}')
    matches = match_in_order(expected, lines)
    missing = [p for p, i in matches if i is None]
    if missing:
        problems.append(f'expected line not found: /{missing[0].pattern}/')
    for pattern in forbidden:
        bad = [l for l in lines if pattern.search(l)]
        if bad:
            problems.append(f'forbidden /{pattern.pattern}/ matched: {bad[0]!r}')
    err_lines = err.split('\n')
    for pattern in args.expect_stderr:
        if not any(re.search(pattern, l) for l in err_lines):
            problems.append(f'expected stderr line not found: /{pattern}/')
    for pattern in args.forbid_stderr:
        bad = [l for l in err_lines if re.search(pattern, l)]
        if bad:
            problems.append(f'forbidden stderr /{pattern}/ matched: {bad[0]!r}')

    if not problems:
        print(f'PASS: {shlex.join(cmd)}')
        return 0

    print(f'FAIL: {shlex.join(cmd)}')
    for p in problems:
        print(f'  {p}')
    print('\n--- expected (in order) ---')
    for pattern, i in matches:
        where = f'line {i + 1}' if i is not None else 'MISSING'
        print(f'  [{where:>9}] /{pattern.pattern}/')
    print('\n--- actual stdout ---')
    for n, line in enumerate(lines, 1):
        if line or n < len(lines):
            print(f'  {n:4}: {line}')
    if err.strip():
        print('\n--- stderr ---')
        for line in err.rstrip('\n').split('\n'):
            print(f'  {line}')
    return 1


if __name__ == '__main__':
    sys.exit(main())
