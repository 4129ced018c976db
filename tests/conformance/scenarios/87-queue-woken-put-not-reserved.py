"""87 a slot freed while a put() waits wakes that putter but is not
reserved for it: a put_nowait() that runs first fills it, and the woken
putter goes back to waiting

(asyncio docs: Queue.put, Queue.put_nowait; queues.py Queue.put loops
while the queue is full)."""
import asyncio
from harness import run, trace


async def putter(q):
    await q.put('p')
    trace(f'P: put p, qsize={q.qsize()}')


async def main():
    q = asyncio.Queue(1)
    q.put_nowait('x')
    p = asyncio.create_task(putter(q))
    await asyncio.sleep(1)
    trace(f'main: got {q.get_nowait()}')
    try:
        q.put_nowait('m')
        trace('main: put_nowait m done')
    except asyncio.QueueFull:
        trace('main: put_nowait m -> QueueFull')
    await asyncio.sleep(1)
    trace(f'main: P done={int(p.done())}, got {q.get_nowait()}')
    await p
    trace(f'main: got {q.get_nowait()}')

run(main())
