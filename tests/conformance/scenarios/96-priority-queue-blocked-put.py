"""96 a bounded PriorityQueue makes put() wait for room; once admitted,
the item takes its place by priority, not by arrival

(asyncio docs: PriorityQueue, "retrieves entries in priority order
(lowest first)"; test_queues.py PriorityQueueTests.test_order)."""
import asyncio
from harness import run, trace


async def putter(q, prio, name):
    await q.put((prio, name))
    trace(f'put {name} (priority {prio}), qsize={q.qsize()}')


async def main():
    q = asyncio.PriorityQueue(2)
    await q.put((5, 'five'))
    await q.put((3, 'three'))
    p = asyncio.create_task(putter(q, 1, 'one'))
    await asyncio.sleep(1)
    trace(f'main: full={int(q.full())}')
    prio, name = await q.get()
    trace(f'main: got {name}')
    await p
    got = []
    while not q.empty():
        got.append(q.get_nowait()[1])
    trace(f'main: got {", ".join(got)}')

run(main())
