"""93 join() waits until task_done() was called once for every item ever
put; every joiner wakes then, in order, and a join() with nothing
unfinished returns at once

(asyncio docs: Queue.join, Queue.task_done; test_queues.py
QueueJoinTests.test_task_done, test_join_empty_queue)."""
import asyncio
from harness import run, trace


async def joiner(q, name):
    await q.join()
    trace(f'{name}: joined')


async def main():
    q = asyncio.Queue()
    await q.join()
    trace('main: join on a fresh queue returned')
    q.put_nowait(1)
    q.put_nowait(2)
    j1 = asyncio.create_task(joiner(q, 'J1'))
    j2 = asyncio.create_task(joiner(q, 'J2'))
    q.get_nowait()
    q.get_nowait()
    await asyncio.sleep(1)
    q.task_done()
    trace('main: one task_done')
    await asyncio.sleep(1)
    q.task_done()
    trace('main: second task_done')
    await j1
    await j2

run(main())
