"""75 waiters cancelled while queued are skipped: a release() wakes the
first waiter still waiting, and only one

(test_locks.py SemaphoreTests.test_acquire_cancel_before_awoken,
test_acquire_fifo_order_3)."""
import asyncio
from harness import run, trace


async def worker(sem, name):
    try:
        await sem.acquire()
    except asyncio.CancelledError:
        trace(f'{name}: cancelled')
        raise
    trace(f'{name} acquired')


async def main():
    sem = asyncio.Semaphore(0)
    tasks = [asyncio.create_task(worker(sem, n)) for n in 'ABCD']
    await asyncio.sleep(1)
    tasks[0].cancel()
    tasks[1].cancel()
    sem.release()
    await asyncio.sleep(1)
    trace(f'main: C done={int(tasks[2].done())} D done={int(tasks[3].done())}')
    sem.release()
    for t in tasks:
        try:
            await t
        except asyncio.CancelledError:
            pass
    trace(f'main: locked={int(sem.locked())}')

run(main())
