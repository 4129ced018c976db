#!/usr/bin/env python3
"""run_python.py SCRIPT                 runs a Python twin on the virtual clock
   run_python.py --expect FILE SCRIPT   ... and compares what it prints with FILE
   run_python.py --check-twins EXAMPLES checks that every expected output of
                                        EXAMPLES/expected has its Python twin

The Python twins (examples/python/NAME.py) are the asyncio guides' examples
as CPython runs them, and examples/expected/NAME.txt is what they print:
this is the check that keeps the expected files CPython's.

A twin is an ordinary program (`python3 NAME.py` runs it in real time).
Here it runs as __main__ with asyncio.run on the conformance scenarios'
virtual clock (tests/conformance/scenarios/harness.py: the clock starts at
0 and jumps to the next timer; work started with to_thread holds it), so
its sleeps cost no real time. The blocking calls of the guides are put on
that clock too:
  - time.perf_counter() reads the loop's clock;
  - time.sleep(s) on the loop's thread blocks the loop, so it moves the
    loop's clock s seconds on (no timer can fire meanwhile, as none could
    in a real blocked loop); on another thread (a to_thread worker, while
    the clock is held for it) it returns at once, since no time passes on
    the loop's clock while the clock is held.
Only stdout is compared; stderr is shown (CPython's warnings, as the
"coroutine ... was never awaited" of an unscheduled coroutine).
"""
import asyncio
import os
import runpy
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'conformance', 'scenarios'))
import harness  # noqa: E402  (the scenarios' virtual clock)

_loop = None         # the virtual-clock loop of asyncio.run, once made
_loop_thread = None  # its thread
_idle_clock = 0.0    # the clock outside asyncio.run
_real_sleep = time.sleep


class _Loop(harness.VirtualClockLoop):
    def __init__(self):
        global _loop, _loop_thread
        super().__init__()
        self._now = _idle_clock
        _loop, _loop_thread = self, threading.get_ident()

    def close(self):
        global _loop, _idle_clock
        _idle_clock = self._now
        _loop = None
        super().close()


def _perf_counter():
    return _loop._now if _loop is not None else _idle_clock


def _sleep(seconds):
    global _idle_clock
    if seconds < 0:
        raise ValueError('sleep length must be non-negative')
    if _loop is None:
        _idle_clock += seconds
    elif threading.get_ident() == _loop_thread:
        _loop._now += seconds
    else:
        _real_sleep(0)


def _run(main, *, debug=None):
    with asyncio.Runner(debug=debug, loop_factory=_Loop) as runner:
        return runner.run(main)


def run_virtual(script):
    asyncio.run = _run
    time.perf_counter = _perf_counter
    time.sleep = _sleep
    sys.argv = [script]
    sys.path.insert(0, os.path.dirname(os.path.abspath(script)))
    runpy.run_path(script, run_name='__main__')


def expect(expected_path, script):
    try:
        p = subprocess.run([sys.executable, os.path.abspath(__file__), script],
                           capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired as e:
        out = e.stdout.decode() if isinstance(e.stdout, bytes) else (e.stdout or '')
        print(f'{script} did not finish in 60 s; it printed:\n{out}')
        return 1
    if p.stderr:
        sys.stderr.write(p.stderr)
    if p.returncode != 0:
        print(f'{script} exited with {p.returncode}:\n{p.stdout}')
        return 1
    with open(expected_path, encoding='utf-8') as f:
        want = f.read()
    if p.stdout.rstrip('\n') != want.rstrip('\n'):
        print(f'--- expected ({expected_path})\n{want}--- python {sys.version.split()[0]} '
              f'printed\n{p.stdout}')
        return 1
    print(f'python {sys.version.split()[0]} prints {os.path.basename(expected_path)}')
    return 0


# Expected outputs that are not the asyncio guides' examples (no twin).
NOT_FROM_THE_GUIDES = {'echo_client', 'tail_file', 'tls_echo_client', 'lua_host', 'game_host',
                       'epoll_host', 'glib_host', 'run_command', 'sigint_server'}


def check_twins(examples):
    """Every expected/NAME.txt of a guide example has python/NAME.py and the
    other way round; a language's own variant, expected/NAME.LANG.txt, has
    the shared NAME.txt beside it."""
    expected = {f[:-4] for f in os.listdir(os.path.join(examples, 'expected'))
                if f.endswith('.txt')}
    twins = {f[:-3] for f in os.listdir(os.path.join(examples, 'python')) if f.endswith('.py')}
    shared = {n for n in expected if '.' not in n}
    problems = [f'expected/{n}.txt has no twin python/{n}.py'
                for n in sorted(shared - twins - NOT_FROM_THE_GUIDES)]
    problems += [f'python/{n}.py has no expected/{n}.txt' for n in sorted(twins - shared)]
    problems += [f'expected/{n}.txt varies expected/{n.split(".")[0]}.txt, which is missing'
                 for n in sorted(expected - shared) if n.split('.')[0] not in shared]
    for p in problems:
        print(p)
    if not problems:
        print(f'{len(twins)} guide examples, each with its Python twin')
    return 1 if problems else 0


def main():
    args = sys.argv[1:]
    if len(args) == 2 and args[0] == '--check-twins':
        return check_twins(args[1])
    if len(args) == 3 and args[0] == '--expect':
        return expect(args[1], args[2])
    if len(args) == 1:
        run_virtual(args[0])
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == '__main__':
    sys.exit(main())
