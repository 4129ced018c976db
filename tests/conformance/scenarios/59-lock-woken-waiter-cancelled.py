"""59 a waiter woken by release() but cancelled before it runs does not
keep the lock: the next waiter gets it

The cancelled task sees CancelledError and never holds the lock; the lock
passes on to the next waiter in line, and ends free (test_locks.py
LockTests.test_finished_waiter_cancelled, test_cancel_release_race)."""
import asyncio
from harness import run, trace


async def holder(lock, name):
    trace(f'{name} wants')
    try:
        await lock.acquire()
    except asyncio.CancelledError:
        trace(f'{name}: cancelled')
        raise
    trace(f'{name} holds')
    await asyncio.sleep(1)
    trace(f'{name} releases')
    lock.release()


async def main():
    lock = asyncio.Lock()
    await lock.acquire()
    a = asyncio.create_task(holder(lock, 'A'))
    b = asyncio.create_task(holder(lock, 'B'))
    await asyncio.sleep(1)
    lock.release()  # wakes A ...
    a.cancel()      # ... which is cancelled before it runs
    try:
        await a
    except asyncio.CancelledError:
        trace('main: A ended cancelled')
    await b
    trace(f'main: locked={int(lock.locked())}')

run(main())
