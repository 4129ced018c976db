#!/usr/bin/python3
"""run.py — randomized differential test: random scenarios on CPython's
asyncio and on libasyncore, trace against trace.

    run.py [--seed N] [--count N] [--lua PROGRAM] [--found DIR] [--no-minimize]

Generates COUNT scenarios from SEED (gen.py), adds every scenario of
found/ (the differences found before: they must agree now), runs the batch
once on Debian's CPython (interp.py) and once on libasyncore through the
Lua binding (interp.lua, under PROGRAM, with LUA_PATH and LUA_CPATH from
the environment), and compares the traces scenario by scenario. A new
difference is minimized (tasks, ops and primitives dropped, times
shortened while the traces still differ), written to found/NAME.scn, and
its diff printed. Exit status: 0 when every trace agrees, 1 otherwise, 77
when the Lua interpreter or the binding is missing.

--also-python PY runs the batch on a second CPython too and leaves out the
scenarios on which the two CPythons disagree (how the generator was checked
against CPython 3.13; not needed in CI).
"""
import argparse
import difflib
import glob
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import gen  # noqa: E402
import scn  # noqa: E402
from scn import Op  # noqa: E402

PYTHON = '/usr/bin/python3' if os.path.exists('/usr/bin/python3') else sys.executable
TIMEOUT = 600


def split_traces(out):
    traces, name = {}, None
    for line in out.splitlines():
        if line.startswith('=== '):
            name = line[4:]
            traces[name] = []
        elif name is not None:
            traces[name].append(line)
    return traces


def run_interp(cmd, scenarios):
    """{name: trace lines}: runs the batch, again after the scenario a
    crashed or stuck interpreter stopped at (that one's trace says so)."""
    traces = {}
    todo = list(scenarios)
    while todo:
        with tempfile.NamedTemporaryFile('w', suffix='.scn', delete=False) as f:
            f.write(''.join(s.format() for s in todo))
            path = f.name
        try:
            p = subprocess.run(cmd + [path], capture_output=True, text=True, timeout=TIMEOUT)
            out, status, err = p.stdout, p.returncode, p.stderr
        except subprocess.TimeoutExpired as e:
            out = e.stdout.decode() if isinstance(e.stdout, bytes) else (e.stdout or '')
            status, err = 'timeout', ''
        finally:
            os.unlink(path)
        got = split_traces(out)
        done = 0
        for s in todo:
            if s.name not in got:
                break
            done += 1
        if status == 0 and done == len(todo):
            traces.update(got)
            return traces
        # The last scenario begun did not finish: it is the culprit.
        for s in todo[:max(done - 1, 0)]:
            traces[s.name] = got[s.name]
        bad = todo[max(done - 1, 0)]
        traces[bad.name] = got.get(bad.name, []) + [
            f'interpreter stopped: {status} {err.strip().splitlines()[-1:] if err else ""}']
        todo = todo[max(done, 1):]
    return traces


class Judge:
    def __init__(self, lua, also_python=None):
        self.py = [PYTHON, os.path.join(HERE, 'interp.py')]
        self.lua = [lua, os.path.join(HERE, 'interp.lua')]
        self.py2 = [also_python, os.path.join(HERE, 'interp.py')] if also_python else None

    def differs(self, s):
        a = run_interp(self.py, [s])[s.name]
        b = run_interp(self.lua, [s])[s.name]
        return a != b, a, b

    def first_differing(self, cands):
        """The index of the first scenario of cands whose traces differ
        (one batch per interpreter), or None."""
        for i, c in enumerate(cands):
            c.name = f'candidate-{i}'
        ta = run_interp(self.py, cands)
        tb = run_interp(self.lua, cands)
        for i, c in enumerate(cands):
            if ta[c.name] != tb[c.name]:
                return i
        return None


# --- minimization ---------------------------------------------------------

def copy(s):
    return scn.parse(s.format())


def op_lists(s):
    """Every list of ops of the scenario (task bodies and group bodies)."""
    out = []

    def walk(ops):
        out.append(ops)
        for op in ops:
            if op.body is not None:
                walk(op.body)
    for t in s.tasks:
        walk(t.ops)
    return out


def used_prims(s):
    used = set()
    for ops in op_lists(s):
        for op in ops:
            used.update(op.words[1:])
    return used


def candidates(s):
    """Smaller variants of s, the biggest cuts first."""
    for i in range(len(s.tasks)):
        c = copy(s)
        gone = c.tasks.pop(i).id
        c.tasks = [t for t in c.tasks if t.parent != gone]
        yield c
    n = len(op_lists(s))
    for li in range(n):
        for j in range(len(op_lists(s)[li])):
            c = copy(s)
            del op_lists(c)[li][j]
            yield c
            op = op_lists(s)[li][j]
            if op.name == 'timeout':
                c = copy(s)
                lst = op_lists(c)[li]
                lst[j] = Op(lst[j].words[2:], lst[j].body)
                yield c
            if op.words[-1] == 'group':
                c = copy(s)
                lst = op_lists(c)[li]
                lst[j:j + 1] = lst[j].body
                yield c
            if op.name in ('sleep', 'timeout') and int(op.words[1]) > 0:
                for v in sorted({0, 1, int(op.words[1]) // 2}):
                    if v < int(op.words[1]):
                        c = copy(s)
                        op_lists(c)[li][j].words[1] = str(v)
                        yield c
    used = used_prims(s)
    for i, p in enumerate(s.prims):
        if p[1] not in used and p[1] not in [q[2] for q in s.prims if q[0] == 'cond' and len(q) > 2]:
            c = copy(s)
            del c.prims[i]
            yield c


def minimize(judge, s, rounds=200):
    """The smallest variant of s found on which the traces still differ:
    each round tries every smaller variant of the current one (in one batch
    per interpreter) and keeps the first that still differs."""
    name = s.name
    for _ in range(rounds):
        cands = list(candidates(s))
        if not cands:
            break
        i = judge.first_differing(cands)
        if i is None:
            break
        s = cands[i]
    s.name = name
    return s


# --- the run --------------------------------------------------------------

def show_diff(name, a, b):
    return '\n'.join(difflib.unified_diff(a, b, f'{name} CPython', f'{name} libasyncore',
                                          lineterm='', n=3))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--count', type=int, default=2000)
    ap.add_argument('--lua', default=os.environ.get('RANDOM_LUA', 'lua5.4'))
    ap.add_argument('--found', default=os.path.join(HERE, 'found'))
    ap.add_argument('--no-minimize', action='store_true')
    ap.add_argument('--also-python')
    ap.add_argument('--no-cancel-messages', dest='cancel_messages', action='store_false',
                    help='cancel() without a message only')
    ap.add_argument('--show-excluded', action='store_true',
                    help='with --also-python: print what the CPythons disagree on')
    ap.add_argument('--minimize', metavar='FILE',
                    help='minimize the scenario of FILE (traces that differ) and print it')
    ap.add_argument('--skip', metavar='REASON', help='only say why the test is skipped (exit 77)')
    ap.add_argument('--save', help='write the generated batch to this file')
    a = ap.parse_args()

    if a.skip:
        print(f'skip: {a.skip}')
        return 77
    lua = shutil.which(a.lua)
    if lua is None:
        print(f'skip: no Lua interpreter {a.lua!r}')
        return 77
    probe = subprocess.run([lua, '-e', 'require "asyncore"'], capture_output=True, text=True)
    if probe.returncode != 0:
        print(f'skip: the Lua binding does not load: {probe.stderr.strip()}')
        return 77

    if a.minimize:
        judge = Judge(lua)
        with open(a.minimize, encoding='utf-8') as f:
            s = scn.parse(f.read())
        differ, ta, tb = judge.differs(s)
        if not differ:
            print('the traces agree')
            return 0
        small = minimize(judge, s)
        _, ta, tb = judge.differs(small)
        print(small.format())
        print(show_diff(s.name, ta, tb))
        return 1

    start = time.monotonic()
    regress = []
    for path in sorted(glob.glob(os.path.join(a.found, '*.scn'))):
        with open(path, encoding='utf-8') as f:
            s = scn.parse(f.read())
        s.name = 'found/' + os.path.basename(path)[:-4]
        regress.append(s)
    fresh = gen.generate(a.seed, a.count, messages=a.cancel_messages)
    batch = regress + fresh
    if a.save:
        with open(a.save, 'w', encoding='utf-8') as f:
            f.write(''.join(s.format() for s in batch))

    judge = Judge(lua, a.also_python)
    # The two interpreters run side by side.
    import concurrent.futures as cf
    with cf.ThreadPoolExecutor(3) as ex:
        fa = ex.submit(run_interp, judge.py, batch)
        fb = ex.submit(run_interp, judge.lua, batch)
        fc = ex.submit(run_interp, judge.py2, batch) if judge.py2 else None
        ta, tb = fa.result(), fb.result()
        tc = fc.result() if fc else None
    elapsed = time.monotonic() - start

    failures = 0
    excluded = 0
    for s in batch:
        a_, b_ = ta.get(s.name), tb.get(s.name)
        if tc is not None and tc.get(s.name) != a_:
            excluded += 1
            if a.show_excluded:
                print(f'LEFT OUT {s.name}:')
                print(s.format())
                print(show_diff(s.name, a_, tc.get(s.name)).replace('libasyncore', a.also_python))
            continue
        if a_ == b_:
            continue
        failures += 1
        if s.name.startswith('found/'):
            print(f'FAIL {s.name}: a difference found before is back')
            print(show_diff(s.name, a_, b_))
            continue
        print(f'FAIL {s.name}: the traces differ')
        if not a.no_minimize:
            small = minimize(judge, s)
            _, a_, b_ = judge.differs(small)
            os.makedirs(a.found, exist_ok=True)
            path = os.path.join(a.found, s.name + '.scn')
            small.name = s.name
            with open(path, 'w', encoding='utf-8') as f:
                f.write(f'# found by run.py --seed {a.seed} (scenario {s.name}), minimized\n')
                f.write(small.format())
            print(f'minimized to {path}:')
            print(small.format())
        print(show_diff(s.name, a_, b_))
    ops = sum(len(o) for s in batch for o in op_lists(s))
    print(f'{len(batch)} scenarios ({len(regress)} from found/, {a.count} from seed {a.seed}, '
          f'{ops} ops), {failures} differ'
          + (f', {excluded} left out (the CPythons disagree)' if a.also_python else '')
          + f'; both interpreters ran in {elapsed:.1f} s')
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
