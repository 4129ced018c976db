"""85 an item that woke a get() cancelled before it runs stays first in
line: the next get() receives it, then the items put after it

(test_queues.py QueuePutTests.test_get_cancel_drop_one_pending_reader,
test_get_cancel_drop_many_pending_readers)."""
import asyncio
from harness import run, trace


async def getter(q, name):
    try:
        v = await q.get()
    except asyncio.CancelledError:
        trace(f'{name}: cancelled, qsize={q.qsize()}')
        raise
    trace(f'{name}: got {v}')


async def main():
    q = asyncio.Queue()
    g = asyncio.create_task(getter(q, 'G'))
    await asyncio.sleep(1)
    q.put_nowait(1)  # wakes G ...
    q.put_nowait(2)
    g.cancel()       # ... which is cancelled before it runs
    try:
        await g
    except asyncio.CancelledError:
        trace('main: G ended cancelled')
    await asyncio.create_task(getter(q, 'G2'))
    await asyncio.create_task(getter(q, 'G3'))
    trace(f'main: qsize={q.qsize()}')

run(main())
