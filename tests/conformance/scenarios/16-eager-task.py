"""16 an eager task runs its first step inside the call that creates it.

A task created with eager_start=True starts running its coroutine at once,
before the creating call returns, up to its first real suspension; the
rest is scheduled as usual (asyncio docs, "Eager Task Factory" and
Task(eager_start=...), new in CPython 3.12 — gh-97696). Older CPython has
no eager start, so the trace is pinned to 3.13's.
"""
import asyncio
from harness import run, trace, say


async def body():
    say('E: first step')
    await asyncio.sleep(1)
    trace('E: done')


async def main():
    e = asyncio.Task(body(), loop=asyncio.get_running_loop(), eager_start=True)
    say('main: after create')
    await e

run(main())
