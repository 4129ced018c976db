"""53 an item handed to a getter that is cancelled before it resumes goes to
the next getter.

put_nowait wakes the first waiting getter; if that getter is cancelled
before it runs, it passes the wake-up on, so the item is not lost
(asyncio docs, asyncio.Queue; test_queues.py cancelled-getter tests).
"""
import asyncio
from harness import run, trace


async def getter(q, name):
    try:
        v = await q.get()
        trace(f'{name}: got {v}')
    except asyncio.CancelledError:
        trace(f'{name}: cancelled')
        raise


async def main():
    q = asyncio.Queue()
    g1 = asyncio.create_task(getter(q, 'G1'))
    g2 = asyncio.create_task(getter(q, 'G2'))
    await asyncio.sleep(1)
    q.put_nowait(42)
    g1.cancel()
    await asyncio.gather(g1, g2, return_exceptions=True)

run(main())
