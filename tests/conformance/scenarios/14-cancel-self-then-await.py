"""14 a task that cancels itself is cancelled at its next await.

The request made by current_task().cancel() is delivered when the task next
suspends: the sleep raises CancelledError at once (asyncio docs,
Task.cancel).
"""
import asyncio
from harness import run, say


async def body():
    asyncio.current_task().cancel()
    try:
        await asyncio.sleep(5)
    except asyncio.CancelledError:
        say('T: cancelled at its await')
        raise


async def main():
    t = asyncio.create_task(body())
    try:
        await t
    except asyncio.CancelledError:
        say('main: T cancelled')

run(main())
