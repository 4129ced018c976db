"""51 a Queue hands items out first in, first out; join waits until every
item is marked done.

get() on a non-empty queue returns at once; join() returns once
task_done() has been called for every item put (asyncio docs,
asyncio.Queue).
"""
import asyncio
from harness import run, trace


async def consumer(q):
    for _ in range(3):
        v = await q.get()
        trace(f'got {v}')
        await asyncio.sleep(1)
        q.task_done()


async def main():
    q = asyncio.Queue()
    q.put_nowait(1)
    q.put_nowait(2)
    q.put_nowait(3)
    c = asyncio.create_task(consumer(q))
    await q.join()
    trace('main: joined')

run(main())
