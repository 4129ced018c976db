"""73 while a woken waiter has not run yet, the semaphore stays locked
even with free permits: newcomers queue, and the waiter, once it runs,
wakes as many of them as there are permits

Semaphore.locked() is true while waiters that were not cancelled remain;
an acquire() that succeeds with permits left wakes the next waiters at
once, so they run before a task created after it (asyncio docs:
Semaphore.locked; CPython 3.13's Semaphore.acquire, test_locks.py
SemaphoreTests.test_acquire_fifo_order_4)."""
import asyncio
from harness import run, trace


async def first(sem):
    await sem.acquire()
    trace('A acquired')
    asyncio.create_task(late())


async def late():
    trace('D runs')


async def releaser(sem):
    sem.release()
    sem.release()
    sem.release()
    trace(f'R released three: locked={int(sem.locked())}')
    await sem.acquire()
    trace('R acquired')


async def newcomer(sem):
    await sem.acquire()
    trace('B acquired')


async def main():
    sem = asyncio.Semaphore(0)
    a = asyncio.create_task(first(sem))
    await asyncio.sleep(1)
    r = asyncio.create_task(releaser(sem))
    b = asyncio.create_task(newcomer(sem))
    await asyncio.sleep(1)
    trace(f'main: locked={int(sem.locked())}')

run(main())
