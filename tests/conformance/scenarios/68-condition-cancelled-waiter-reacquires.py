"""68 a task cancelled in wait() takes the lock back before its
CancelledError shows; while another task holds the lock, it waits for it

wait() always returns, or raises, with the lock held (asyncio docs:
Condition.wait; test_locks.py ConditionTests.test_wait_cancel,
test_wait_cancel_after_notify)."""
import asyncio
from harness import run, trace


async def waiter(cond):
    async with cond:
        trace('W waits')
        try:
            await cond.wait()
        except asyncio.CancelledError:
            trace(f'W cancelled: locked={int(cond.locked())}')
            raise


async def main():
    cond = asyncio.Condition()
    w = asyncio.create_task(waiter(cond))
    await asyncio.sleep(1)
    await cond.acquire()
    trace('main holds the lock; cancels W')
    w.cancel()
    await asyncio.sleep(1)
    trace('main releases')
    cond.release()
    try:
        await w
    except asyncio.CancelledError:
        trace('main: W ended cancelled')
    trace(f'main: locked={int(cond.locked())}')

run(main())
