"""156 Cancelling the task that awaits wait_for cancels the awaited task too;
the waiter gets CancelledError, not TimeoutError.

(asyncio docs, wait_for: "If the wait is cancelled, the future aw is also
cancelled"; test_waitfor.py test_cancel_wait_for.)
"""
import asyncio
from harness import run, trace, code


async def inner():
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError:
        trace('inner: cancelled')
        raise


async def waiter(t):
    try:
        await asyncio.wait_for(t, 5)
    except BaseException as e:
        trace(f'waiter: {code(e)}')
        raise


async def main():
    t = asyncio.create_task(inner())
    w = asyncio.create_task(waiter(t))
    await asyncio.sleep(1)
    w.cancel()
    await asyncio.sleep(0.5)
    trace(f'main: waiter cancelled={int(w.cancelled())} inner cancelled={int(t.cancelled())}')

run(main())
