"""91 shutdown(immediate=True) drops the queued items, counting each as
done for join(); items already taken still need task_done(); gets and
puts raise QueueShutDown, and a join() after it returns once nothing is
unfinished

(asyncio docs: Queue.shutdown, 3.13; test_queues.py
_QueueShutdownTestMixin.test_shutdown_immediate_with_unfinished)."""
import asyncio
from harness import run, trace, describe


async def joiner(q):
    await q.join()
    trace('J: joined')


async def main():
    if not hasattr(asyncio, 'QueueShutDown'):
        trace('no Queue.shutdown before 3.13')
        return
    q = asyncio.Queue()
    for item in 'abc':
        q.put_nowait(item)
    trace(f'main: got {await q.get()}')
    j = asyncio.create_task(joiner(q))
    await asyncio.sleep(1)
    q.shutdown(immediate=True)
    trace(f'main: shut down now, qsize={q.qsize()}')
    try:
        await q.get()
    except asyncio.QueueShutDown as e:
        trace(f'main: get: {describe(e)}')
    try:
        await q.put('d')
    except asyncio.QueueShutDown as e:
        trace(f'main: put: {describe(e)}')
    await asyncio.sleep(1)
    trace(f'main: J done={int(j.done())}')
    q.task_done()
    await j
    await q.join()
    trace('main: joined after shutdown')
    try:
        q.task_done()
    except ValueError as e:
        trace(f'main: task_done: {describe(e)}')

run(main())
