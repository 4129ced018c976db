"""52 a put into a full bounded queue waits until there is room.

With maxsize=1, put() returns at once while the queue has room and
otherwise waits for a get() to free a slot (asyncio docs, asyncio.Queue).
"""
import asyncio
from harness import run, trace


async def producer(q):
    for i in range(3):
        await q.put(i)
        trace(f'put {i}')


async def consumer(q):
    await asyncio.sleep(1)
    for _ in range(3):
        v = await q.get()
        trace(f'got {v}')
        await asyncio.sleep(1)


async def main():
    q = asyncio.Queue(maxsize=1)
    await asyncio.gather(producer(q), consumer(q))

run(main())
