"""89 put_nowait() on a full queue raises QueueFull, get_nowait() on an
empty one raises QueueEmpty, and task_done() called more times than items
were put raises ValueError; none of them changes the queue

(asyncio docs: Queue.put_nowait, Queue.get_nowait, Queue.task_done;
test_queues.py test_nonblocking_put_exception,
test_nonblocking_get_exception, test_task_done_underflow)."""
import asyncio
from harness import run, trace, describe


async def main():
    q = asyncio.Queue(1)
    try:
        q.get_nowait()
    except asyncio.QueueEmpty as e:
        trace(f'get_nowait on empty: {describe(e)}')
    q.put_nowait(1)
    try:
        q.put_nowait(2)
    except asyncio.QueueFull as e:
        trace(f'put_nowait on full: {describe(e)}, qsize={q.qsize()}')
    trace(f'got {q.get_nowait()}')
    q.task_done()
    try:
        q.task_done()
    except ValueError as e:
        trace(f'task_done again: {describe(e)}')
    await q.join()
    trace('joined')

run(main())
