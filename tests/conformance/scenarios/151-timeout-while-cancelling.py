"""151 A timeout scope used by a task that is already being cancelled (while
handling its CancelledError) still raises TimeoutError for its own expiry.

The scope remembers the task's cancelling() count at entry and claims the
cancellation when taking back its own request leaves no more than that
(CPython gh-102780; test_timeouts.py test_timeout_after_cancellation).
"""
import asyncio
from harness import run, trace, code


async def worker():
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError:
        trace(f'worker: cancelled, cancelling={asyncio.current_task().cancelling()}')
        try:
            async with asyncio.timeout(1):
                await asyncio.sleep(5)
        except BaseException as e:
            trace(f'worker: cleanup ended with {code(e)}')
        raise


async def main():
    t = asyncio.create_task(worker())
    await asyncio.sleep(1)
    t.cancel()
    try:
        await t
    except asyncio.CancelledError:
        trace('main: worker cancelled')

run(main())
