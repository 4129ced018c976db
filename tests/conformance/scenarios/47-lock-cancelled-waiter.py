"""47 a waiter cancelled while queued on a Lock never holds it, and no
wake-up is lost.

A task cancelled while waiting in Lock.acquire leaves the queue; if the
release that happened meanwhile chose it, the lock passes on to the next
waiter (asyncio docs, asyncio.Lock; test_locks.py LockTests cancel-race
tests).
"""
import asyncio
from harness import run, trace


async def holder(lock, name):
    trace(f'{name} wants')
    try:
        async with lock:
            trace(f'{name} holds')
            await asyncio.sleep(1)
            trace(f'{name} releases')
    except asyncio.CancelledError:
        trace(f'{name}: cancelled')
        raise


async def main():
    lock = asyncio.Lock()
    await lock.acquire()
    w = asyncio.create_task(holder(lock, 'W'))
    n = asyncio.create_task(holder(lock, 'N'))
    await asyncio.sleep(1)
    w.cancel()
    lock.release()
    await asyncio.gather(w, n, return_exceptions=True)
    trace(f'main: locked={int(lock.locked())}')

run(main())
