"""harness.py — what every scenario program imports: a virtual clock for
asyncio and the trace vocabulary the scenario ports print.

A scenario is a plain CPython asyncio program. It runs on a loop whose
clock is virtual, as libasyncore's AC_LOOP_VIRTUAL_CLOCK is: the clock
starts at 0, and when the loop would block with a timer pending it jumps to
that timer instead of sleeping. The trace is what CPython prints; every
language's port must print the same lines.

    from harness import run, trace, say, code, cls, msg

    async def main():
        await asyncio.sleep(1.5)
        trace('main: done')          # "t=1500 main: done"

    run(main())

Only work on other threads holds the clock back: while a function started
with loop.run_in_executor (and so asyncio.to_thread) has not finished, or a
scenario holds the clock with `hold_clock()`, the loop waits for real
instead of jumping, as libasyncore's virtual clock waits for its workers.
"""
import asyncio
import errno
import selectors
import sys

__all__ = ['run', 'trace', 'say', 'code', 'cls', 'msg', 'describe', 'now_ms',
           'hold_clock', 'release_clock', 'VirtualClockLoop']


class _VirtualSelector:
    """Wraps the loop's selector: polls without blocking, and jumps the
    clock where the real one would have waited for a timer."""

    def __init__(self, real, loop):
        self._real = real
        self._loop = loop

    def select(self, timeout=None):
        events = self._real.select(0)
        if events or timeout == 0:
            return events
        if self._loop._holds > 0 or timeout is None:
            # Only another thread can wake us: wait for it for real, and
            # let no virtual time pass meanwhile.
            return self._real.select(None)
        self._loop._now += timeout
        return []

    def __getattr__(self, name):
        return getattr(self._real, name)


class VirtualClockLoop(asyncio.SelectorEventLoop):
    def __init__(self):
        super().__init__(selectors.DefaultSelector())
        self._now = 0.0
        self._holds = 0
        self._selector = _VirtualSelector(self._selector, self)

    def time(self):
        return self._now

    async def shutdown_default_executor(self, *args, **kwargs):
        # The executor's threads are joined on another thread (3.12+): the
        # clock waits for them, as for any work on a worker.
        self._holds += 1
        try:
            await super().shutdown_default_executor(*args, **kwargs)
        finally:
            self._holds -= 1

    def run_in_executor(self, executor, func, *args):
        fut = super().run_in_executor(executor, func, *args)
        self._holds += 1
        fut.add_done_callback(lambda _f: release_clock(self))
        return fut


def hold_clock(loop=None):
    """Keeps the virtual clock from jumping until release_clock (for a
    thread a scenario starts itself)."""
    (loop or asyncio.get_running_loop())._holds += 1


def release_clock(loop=None):
    (loop or asyncio.get_running_loop())._holds -= 1


def run(coro):
    """asyncio.run(coro) on the virtual clock; returns its result."""
    with asyncio.Runner(loop_factory=VirtualClockLoop) as runner:
        return runner.run(coro)


def now_ms():
    return round(asyncio.get_running_loop().time() * 1000)


def trace(text):
    """One line carrying the loop time: "t=<ms> <text>"."""
    print(f't={now_ms()} {text}', flush=True)


def say(text):
    """One line without the time."""
    print(text, flush=True)


def code(exc):
    """The name libasyncore's ac_err_name gives the error's code."""
    if isinstance(exc, asyncio.CancelledError):
        return 'AC_ECANCELLED'
    if isinstance(exc, OSError) and exc.errno is not None:
        return errno.errorcode.get(exc.errno, 'UNKNOWN')
    if isinstance(exc, TimeoutError):
        return 'ETIMEDOUT'
    shutdown = getattr(asyncio, 'QueueShutDown', None)
    for kind, name in ((asyncio.QueueEmpty, 'AC_EEMPTY'), (asyncio.QueueFull, 'AC_EFULL'),
                       (asyncio.BrokenBarrierError, 'AC_EBROKEN'),
                       (asyncio.InvalidStateError, 'AC_ESTATE'),
                       (BaseExceptionGroup, 'AC_EGROUP'), (ValueError, 'EINVAL')):
        if isinstance(exc, kind):
            return name
    if shutdown is not None and isinstance(exc, shutdown):
        return 'AC_ESHUTDOWN'
    return type(exc).__name__


def cls(exc):
    """asyncio's class of the error, as every port names it."""
    return type(exc).__name__


def msg(exc):
    """The error's message: an OSError's text without its "[Errno N]"."""
    if isinstance(exc, OSError) and exc.errno is not None and exc.strerror is not None:
        return exc.strerror
    return str(exc)


def describe(exc):
    """"Class: message", or "Class" when the message is empty."""
    m = msg(exc)
    return f'{cls(exc)}: {m}' if m else cls(exc)
