#!/usr/bin/python3
"""interp.py — runs scenarios on CPython's asyncio and prints their traces.

    interp.py FILE     every scenario of FILE ('-': stdin), each on a fresh
                       loop of the conformance harness's virtual clock, its
                       trace after a line "=== NAME"

README.md describes the language and the trace; lua/interp.lua prints the
same trace on libasyncore.
"""
import asyncio
import asyncio.events
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, '..', 'conformance', 'scenarios'))

import harness  # noqa: E402  (the virtual clock)
import scn  # noqa: E402

# Times are in ticks of 1/1024 s: sums of them are exact in binary floating
# point, so that two deadlines meant to be equal are equal (0.009 + 0.001 is
# not 0.01) on both sides.
TICK = 1 / 1024
# The loop time (in ticks) at which main stops waiting and reports the tasks
# left.
HORIZON = 8192


class _StableTimer(asyncio.events.TimerHandle):
    """A timer ordered by its deadline, then by when it was scheduled:
    libasyncore fires timers of equal deadlines in the order they were
    scheduled; CPython's heap leaves their order to chance
    (docs/asyncio-differences.md)."""
    __slots__ = ('_seq', '_key')
    _count = 0

    def __init__(self, when, *args, **kwargs):
        super().__init__(when, *args, **kwargs)
        _StableTimer._count += 1
        self._seq = _StableTimer._count
        self._key = (when, self._seq)

    def __lt__(self, other):
        return self._key < other._key

    def __le__(self, other):
        return self._key <= other._key

    def __gt__(self, other):
        return self._key > other._key

    def __ge__(self, other):
        return self._key >= other._key

    __hash__ = asyncio.events.TimerHandle.__hash__


asyncio.events.TimerHandle = _StableTimer


class _OrderedTaskGroup(asyncio.TaskGroup):
    """A TaskGroup that cancels its tasks in the order they were created
    when it aborts, as libasyncore's does: CPython keeps them in a set, so
    its order is that of their addresses' hashes, which is chance."""

    def __init__(self):
        super().__init__()
        self._created = []

    def create_task(self, *args, **kwargs):
        t = super().create_task(*args, **kwargs)
        self._created.append(t)
        return t

    def _abort(self):
        self._aborting = True
        for t in self._created:
            if t in self._tasks and not t.done():
                t.cancel()


class Fail(ValueError):
    """What the `fail` op raises (printed as ValueError)."""


def describe(e):
    if isinstance(e, BaseExceptionGroup):
        return f'{type(e).__name__}({", ".join(describe(x) for x in e.exceptions)})'
    if isinstance(e, Fail):
        return 'ValueError: fail'
    return harness.describe(e)


class Run:
    def __init__(self, s, out):
        self.s = s
        self.out = out
        self.tasks = {}
        self.prims = {}
        self.children = {}
        for t in s.tasks:
            if t.parent is not None:
                self.children.setdefault(t.parent, []).append(t)

    def trace(self, text):
        self.out.append(f't={round(asyncio.get_running_loop().time() / TICK)} {text}')

    def make_prims(self):
        for w in self.s.prims:
            kind, name = w[0], w[1]
            if kind == 'lock':
                p = asyncio.Lock()
            elif kind == 'event':
                p = asyncio.Event()
            elif kind == 'cond':
                p = asyncio.Condition(self.prims[w[2]] if len(w) > 2 else None)
            elif kind == 'sem':
                p = asyncio.Semaphore(int(w[2]))
            elif kind == 'bsem':
                p = asyncio.BoundedSemaphore(int(w[2]))
            elif kind == 'barrier':
                p = asyncio.Barrier(int(w[2]))
            elif kind == 'lifo':
                p = asyncio.LifoQueue(int(w[2]))
            else:
                p = asyncio.Queue(int(w[2]))
            self.prims[name] = p

    async def do(self, tid, op):
        w = op.words
        name = w[0]
        if name == 'sleep':
            await asyncio.sleep(int(w[1]) * TICK)
            return None
        if name == 'cancel':
            t = self.tasks.get(int(w[1]))
            if t is None:
                return 'none'
            return str(int(t.cancel(w[2] if len(w) > 2 else None)))
        if name == 'timeout':
            async with asyncio.timeout(int(w[1]) * TICK):
                return await self.do(tid, scn.Op(w[2:], op.body))
        if name == 'group':  # also `timeout K group` (above)
            async with _OrderedTaskGroup() as tg:
                for c in self.children.get(tid, ()):
                    self.tasks[c.id] = tg.create_task(self.task_main(c))
                for body_op in op.body:
                    await self.run_op(tid, body_op)
            return None
        p = self.prims[w[1]]
        if isinstance(p, asyncio.Barrier):
            if name == 'wait':
                return str(await p.wait())
            if name == 'abort':
                await p.abort()
            elif name == 'reset':
                await p.reset()
            else:
                return f'broken={int(p.broken)} n_waiting={p.n_waiting}'
            return None
        if name == 'acquire':
            await p.acquire()
        elif name == 'release':
            p.release()
        elif name == 'set':
            p.set()
        elif name == 'clear':
            p.clear()
        elif name == 'wait':
            await p.wait()
        elif name == 'notify':
            p.notify(int(w[2]))
        elif name == 'notify_all':
            p.notify_all()
        elif name == 'put':
            await p.put(int(w[2]))
        elif name == 'put_nowait':
            p.put_nowait(int(w[2]))
        elif name == 'get':
            return str(await p.get())
        elif name == 'get_nowait':
            return str(p.get_nowait())
        elif name == 'task_done':
            p.task_done()
        elif name == 'join':
            await p.join()
        elif name == 'probe':
            if isinstance(p, asyncio.Queue):
                return f'qsize={p.qsize()} empty={int(p.empty())} full={int(p.full())}'
            if isinstance(p, asyncio.Event):
                return f'set={int(p.is_set())}'
            return f'locked={int(p.locked())}'
        else:
            raise SystemExit(f'unknown op {op.text()!r}')
        return None

    async def run_op(self, tid, op):
        if op.name == 'fail':
            self.trace(f'T{tid} fail')
            raise Fail('fail')
        try:
            r = await self.do(tid, op)
        except asyncio.CancelledError as e:
            self.trace(f'T{tid} {op.text()}: {describe(e)}')
            raise
        except Exception as e:  # noqa: BLE001 — every error is an outcome
            self.trace(f'T{tid} {op.text()}: {describe(e)}')
            return
        self.trace(f'T{tid} {op.text()}: {"ok" if r is None else r}')

    async def task_main(self, t):
        try:
            for op in t.ops:
                await self.run_op(t.id, op)
        except asyncio.CancelledError:
            self.trace(f'T{t.id} end: cancelled')
            raise
        except Fail:
            self.trace(f'T{t.id} end: failed')
            raise
        self.trace(f'T{t.id} end: done')

    async def main(self):
        self.make_prims()
        for t in self.s.tasks:
            if t.parent is None:
                self.tasks[t.id] = asyncio.create_task(self.task_main(t))
        await asyncio.sleep(HORIZON * TICK)
        left = [f'T{i}' for i in sorted(self.tasks) if not self.tasks[i].done()]
        self.trace('pending: ' + (' '.join(left) if left else 'none'))


# Everything a scenario left behind, kept alive until the process ends so
# that no pending task is collected (and reported) mid-batch.
_kept = []


def run_scenario(s):
    out = []
    loop = harness.VirtualClockLoop()
    loop.set_exception_handler(lambda _loop, _ctx: None)
    asyncio.set_event_loop(loop)
    r = Run(s, out)
    try:
        loop.run_until_complete(r.main())
    except BaseException as e:  # noqa: BLE001 — reported in the trace
        out.append(f'interpreter error: {type(e).__name__}: {e}')
    # The tasks still pending are left as they are (a deadlock may hold
    # them forever): the scenario's trace ends with main.
    _kept.append(r)
    asyncio.set_event_loop(None)
    loop.close()
    return out


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else '-'
    text = sys.stdin.read() if path == '-' else open(path, encoding='utf-8').read()
    w = sys.stdout.write
    for s in scn.parse_batch(text):
        w(f'=== {s.name}\n')
        lines = run_scenario(s)
        if lines:
            w('\n'.join(lines) + '\n')
    sys.stdout.flush()
    os._exit(0)


if __name__ == '__main__':
    main()
