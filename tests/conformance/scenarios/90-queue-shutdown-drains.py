"""90 shutdown() makes blocked and later puts raise QueueShutDown, lets
gets take the items still queued, then makes gets raise too; join() still
waits for task_done()

(asyncio docs: Queue.shutdown, 3.13; test_queues.py
_QueueShutdownTestMixin.test_shutdown_nonempty)."""
import asyncio
from harness import run, trace, describe


async def putter(q):
    try:
        await q.put('b')
    except asyncio.QueueShutDown as e:
        trace(f'P: {describe(e)}')


async def joiner(q):
    await q.join()
    trace('J: joined')


async def main():
    if not hasattr(asyncio, 'QueueShutDown'):
        trace('no Queue.shutdown before 3.13')
        return
    q = asyncio.Queue(1)
    q.put_nowait('a')
    p = asyncio.create_task(putter(q))
    j = asyncio.create_task(joiner(q))
    await asyncio.sleep(1)
    q.shutdown()
    trace(f'main: shut down, qsize={q.qsize()}')
    await p
    trace(f'main: got {await q.get()}')
    try:
        await q.get()
    except asyncio.QueueShutDown as e:
        trace(f'main: get: {describe(e)}')
    try:
        q.get_nowait()
    except asyncio.QueueShutDown as e:
        trace(f'main: get_nowait: {describe(e)}')
    try:
        q.put_nowait('c')
    except asyncio.QueueShutDown as e:
        trace(f'main: put_nowait: {describe(e)}')
    await asyncio.sleep(1)
    trace(f'main: J done={int(j.done())}')
    q.task_done()
    await j

run(main())
