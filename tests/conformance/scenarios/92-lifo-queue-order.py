"""92 a LifoQueue hands out the most recently put item first, also to a
getter that was waiting: woken by the first put, it takes the item on top
when it runs

(asyncio docs: LifoQueue; test_queues.py LifoQueueTests.test_order)."""
import asyncio
from harness import run, trace


async def getter(q):
    v = await q.get()
    trace(f'G: got {v}')


async def main():
    q = asyncio.LifoQueue()
    g = asyncio.create_task(getter(q))
    await asyncio.sleep(1)
    for i in (1, 3, 2):
        await q.put(i)
    await g
    items = [await q.get() for _ in range(2)]
    trace(f'main: got {", ".join(map(str, items))}')
    for i in (4, 5, 6):
        q.put_nowait(i)
    items = [q.get_nowait() for _ in range(3)]
    trace(f'main: got {", ".join(map(str, items))}')

run(main())
