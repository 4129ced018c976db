"""32 wait_for cancels the work on timeout and waits for its cleanup before
raising TimeoutError.

When the timeout expires, wait_for cancels the task and waits until it has
really finished (its except and finally clauses ran), then raises
TimeoutError (asyncio docs, asyncio.wait_for).
"""
import asyncio
from harness import run, trace


async def long():
    try:
        for i in range(1, 6):
            await asyncio.sleep(1)
            trace(f'T: {i}')
    except asyncio.CancelledError:
        trace('T: cancelled')
        raise
    finally:
        trace('T: cleanup')


async def main():
    try:
        await asyncio.wait_for(long(), 2.5)
    except TimeoutError:
        trace('main: timed out')

run(main())
