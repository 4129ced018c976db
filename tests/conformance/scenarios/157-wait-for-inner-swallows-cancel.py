"""157 When the task wait_for times out swallows its cancellation and returns
a value, wait_for returns that value instead of raising TimeoutError.

(asyncio docs, wait_for: "If the task suppresses the cancellation and
returns a value instead, that value is returned"; test_waitfor.py
test_wait_for_cancel_suppressed.)
"""
import asyncio
from harness import run, trace


async def stubborn():
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError:
        trace('stubborn: cancelled, returning 42 anyway')
        await asyncio.sleep(0.5)
    return 42


async def main():
    r = await asyncio.wait_for(asyncio.create_task(stubborn()), 1)
    trace(f'main: got {r}')

run(main())
