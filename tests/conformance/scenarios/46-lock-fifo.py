"""46 a Lock serves its waiters in the order they arrived.

Lock.acquire on a free lock returns at once without suspending; waiters
queue and are woken one at a time, first come first served, as the holder
releases (asyncio docs, asyncio.Lock).
"""
import asyncio
from harness import run, trace


async def holder(lock, name):
    trace(f'{name} wants')
    async with lock:
        trace(f'{name} holds')
        await asyncio.sleep(1)
        trace(f'{name} releases')


async def main():
    lock = asyncio.Lock()
    await asyncio.gather(holder(lock, 'A'), holder(lock, 'B'), holder(lock, 'C'))

run(main())
