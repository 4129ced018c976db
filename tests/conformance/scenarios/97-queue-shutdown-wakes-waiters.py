"""97 shutdown(immediate=True) wakes every blocked get() and put() with
QueueShutDown; the blocked put never inserts its item, and join() returns
once the dropped items count as done

(asyncio docs: Queue.shutdown, 3.13: "All blocked callers of put() and
get() will be unblocked"; test_queues.py
_QueueShutdownTestMixin.test_shutdown_immediate)."""
import asyncio
from harness import run, trace, describe


async def getter(q):
    try:
        v = await q.get()
        trace(f'G: got {v}')
    except asyncio.QueueShutDown as e:
        trace(f'G: {describe(e)}')


async def putter(q):
    try:
        await q.put('y')
        trace('P: put y')
    except asyncio.QueueShutDown as e:
        trace(f'P: {describe(e)}, qsize={q.qsize()}')


async def main():
    if not hasattr(asyncio, 'QueueShutDown'):
        trace('no Queue.shutdown before 3.13')
        return
    empty = asyncio.Queue()
    full = asyncio.Queue(1)
    full.put_nowait('x')
    g = asyncio.create_task(getter(empty))
    p = asyncio.create_task(putter(full))
    await asyncio.sleep(1)
    empty.shutdown(immediate=True)
    full.shutdown(immediate=True)
    trace(f'main: shut down, qsize={full.qsize()}')
    await g
    await p
    await full.join()
    trace('main: joined')

run(main())
