"""74 a waiter woken by release() but cancelled before it runs gives its
permit to the next waiter

The cancelled task sees CancelledError and holds nothing; the permit is
not lost (test_locks.py SemaphoreTests.test_acquire_hang,
test_acquire_no_hang)."""
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
    a = asyncio.create_task(worker(sem, 'A'))
    b = asyncio.create_task(worker(sem, 'B'))
    await asyncio.sleep(1)
    sem.release()  # wakes A ...
    a.cancel()     # ... which is cancelled before it runs
    try:
        await a
    except asyncio.CancelledError:
        trace('main: A ended cancelled')
    await b
    trace(f'main: locked={int(sem.locked())}')
    sem.release()
    trace(f'main: released, locked={int(sem.locked())}')

run(main())
