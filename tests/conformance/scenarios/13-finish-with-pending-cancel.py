"""13 a task that returns while a cancellation of it is pending ends cancelled.

A task that cancels itself and returns without awaiting again never sees
CancelledError, but the pending request still applies: the task ends
cancelled and its return value is dropped (CPython Task.__step:
_must_cancel checked when the coroutine returns).
"""
import asyncio
from harness import run, say


async def body():
    asyncio.current_task().cancel()
    say('T: cancel requested')
    return 3


async def main():
    t = asyncio.create_task(body())
    try:
        await t
    except asyncio.CancelledError:
        say(f'main: T cancelled={int(t.cancelled())}')

run(main())
