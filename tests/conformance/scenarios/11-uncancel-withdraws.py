"""11 uncancel() takes back a cancellation that has not been delivered yet.

A task cancelled before its first step and then uncancelled back to a
count of zero runs normally: the pending request is withdrawn (asyncio docs,
Task.uncancel). CPython does so since 3.13 (gh-116720; see the .pinned
trace); 3.11 and 3.12 only decrement the count and still deliver the
cancellation, so there main fails with CancelledError.
"""
import asyncio
from harness import run, trace, say


async def body():
    await asyncio.sleep(1)
    trace('T: ran to the end')
    return 1


async def main():
    t = asyncio.create_task(body())
    t.cancel()
    say(f'main: cancelling={t.cancelling()}')
    say(f'main: uncancel -> {t.uncancel()}')
    r = await t
    trace(f'main: T returned {r}')

run(main())
