"""10 a task may catch its cancellation and carry on to a normal result.

Cancellation is only an exception thrown in at an await: a task that
catches it and does not re-raise goes on and may return a value; its
cancelling() count stays at 1, since nobody called uncancel()
(asyncio docs, Task.cancel and Task.cancelling).
"""
import asyncio
from harness import run, trace


async def swallower():
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError:
        trace('T: swallowed')
    await asyncio.sleep(1)
    return 5


async def main():
    t = asyncio.create_task(swallower())
    await asyncio.sleep(1)
    t.cancel()
    r = await t
    trace(f'main: T returned {r}, cancelling={t.cancelling()}')

run(main())
