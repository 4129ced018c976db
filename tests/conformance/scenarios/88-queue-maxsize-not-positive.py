"""88 a Queue whose maxsize is 0 or negative is unbounded: put() never
waits and full() stays false

(asyncio docs: Queue, "If maxsize is less than or equal to zero, the
queue size is infinite"; test_queues.py QueueBasicTests.test_full)."""
import asyncio
from harness import run, trace


async def main():
    for size in (0, -1):
        q = asyncio.Queue(size)
        for i in range(5):
            await q.put(i)
        q.put_nowait(5)
        trace(f'Queue({size}): maxsize={q.maxsize} qsize={q.qsize()} full={int(q.full())}')

run(main())
