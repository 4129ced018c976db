#!/usr/bin/env python3
"""expect.py — the expected trace of a scenario: what CPython prints.

    expect.py SCENARIO_DIR NAME OUT     writes NAME's expected trace to OUT
                                        ('-' for stdout)
    expect.py --check-pins SCENARIO_DIR checks every pinned trace (below)

The expected trace of NAME is what `python3 SCENARIO_DIR/NAME.py` prints,
unless SCENARIO_DIR/NAME.pinned exists. A pinned trace is the output of a
newer CPython than the one running here, kept because the rule changed in
that version. The file starts with comment lines:

    # python: 3.13
    # why: <the CPython change (issue or PR number) and what it changed>

and the trace follows. When the running python3 is at least that version,
its output must equal the pin. When it is older, the program still runs
here and its output must differ from the pin: a pin that an older CPython
already prints is not needed, and --check-pins says so.
"""
import os
import subprocess
import sys


def read_pin(path):
    """(version tuple, note lines, trace) of a .pinned file."""
    version, notes, lines = None, [], []
    with open(path, encoding='utf-8') as f:
        for raw in f:
            line = raw.rstrip('\n')
            if not lines and line.startswith('#'):
                notes.append(line)
                key, _, value = line[1:].strip().partition(':')
                if key.strip() == 'python':
                    version = tuple(int(x) for x in value.strip().split('.'))
            else:
                lines.append(line)
    if version is None:
        raise SystemExit(f'{path}: no "# python: X.Y" line')
    if not any(n.lstrip('# ').startswith('why:') for n in notes):
        raise SystemExit(f'{path}: no "# why:" line naming the CPython change')
    return version, notes, '\n'.join(lines).rstrip('\n') + '\n'


def run_python(directory, name):
    """(exit status, stdout, stderr) of the scenario under this python."""
    p = subprocess.run([sys.executable, os.path.join(directory, name + '.py')],
                       capture_output=True, text=True, timeout=120)
    return p.returncode, p.stdout, p.stderr


def expected(directory, name):
    pin = os.path.join(directory, name + '.pinned')
    if os.path.exists(pin):
        version, _, trace = read_pin(pin)
        if sys.version_info[:len(version)] < version:
            return trace
    status, out, err = run_python(directory, name)
    if status != 0:
        raise SystemExit(f'{name}.py failed under python {sys.version.split()[0]} '
                         f'(status {status}):\n{err}')
    return out


def check_pins(directory):
    failures = 0
    pins = sorted(f[:-len('.pinned')] for f in os.listdir(directory) if f.endswith('.pinned'))
    for name in pins:
        version, _, trace = read_pin(os.path.join(directory, name + '.pinned'))
        status, out, err = run_python(directory, name)
        newer = sys.version_info[:len(version)] >= version
        if newer and (status != 0 or out != trace):
            print(f'FAIL {name}: python {sys.version.split()[0]} prints other than the pin:\n'
                  f'{out}{err}')
            failures += 1
        elif not newer and status == 0 and out == trace:
            print(f'FAIL {name}: python {sys.version.split()[0]} already prints the pinned '
                  f'trace; the pin is not needed')
            failures += 1
        else:
            print(f'ok   {name} (pinned for {".".join(map(str, version))})')
    print(f'{len(pins)} pinned scenarios, {failures} failed')
    return 1 if failures else 0


def main(argv):
    if len(argv) == 3 and argv[1] == '--check-pins':
        return check_pins(argv[2])
    if len(argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    directory, name, out = argv[1:]
    trace = expected(directory, name)
    if out == '-':
        sys.stdout.write(trace)
    else:
        with open(out, 'w', encoding='utf-8') as f:
            f.write(trace)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
