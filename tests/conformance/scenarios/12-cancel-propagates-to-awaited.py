"""12 cancelling a task cancels the task it is awaiting.

Task.cancel on a task blocked on another task (or future) cancels that
awaited object; the inner task ends cancelled first, then the outer one
(asyncio docs, Task.cancel; test_tasks.py cancel-of-awaited-task tests).
"""
import asyncio
from harness import run, trace


async def inner():
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError:
        trace('inner: cancelled')
        raise


async def outer(i):
    try:
        await i
    except asyncio.CancelledError:
        trace('outer: cancelled')
        raise


async def main():
    i = asyncio.create_task(inner())
    o = asyncio.create_task(outer(i))
    await asyncio.sleep(1)
    o.cancel()
    try:
        await o
    except asyncio.CancelledError:
        trace(f'main: outer cancelled, inner cancelled={int(i.cancelled())}')

run(main())
