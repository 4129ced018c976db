"""34 a timeout scope turns its own expiry into TimeoutError and takes its
cancellation back.

asyncio.timeout cancels the task when the deadline passes; on leaving the
block it converts that CancelledError into TimeoutError and calls
uncancel(), so the task's cancelling() count is back to 0 (asyncio docs,
asyncio.timeout).
"""
import asyncio
from harness import run, trace, say


async def main():
    try:
        async with asyncio.timeout(1.5):
            await asyncio.sleep(10)
    except TimeoutError:
        trace('main: timed out')
    say(f'main: cancelling={asyncio.current_task().cancelling()}')

run(main())
