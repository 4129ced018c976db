"""60 an operation whose result is ready completes without suspending

Acquiring a free Lock or Semaphore, waiting on a set Event, putting into a
Queue with room, getting from a non-empty Queue, joining a queue with
nothing unfinished, Condition.wait_for() with a true predicate and the
only party of a Barrier(1): none of them lets another task run first
(asyncio: a coroutine runs until it awaits something pending)."""
import asyncio
from harness import run, trace


async def other():
    trace('other task runs')


async def main():
    t = asyncio.create_task(other())
    lock = asyncio.Lock()
    await lock.acquire()
    trace('lock acquired')
    sem = asyncio.Semaphore(1)
    await sem.acquire()
    trace('semaphore acquired')
    ev = asyncio.Event()
    ev.set()
    await ev.wait()
    trace('event waited')
    q = asyncio.Queue(1)
    await q.put(5)
    trace('put 5')
    v = await q.get()
    trace(f'got {v}')
    q.task_done()
    await q.join()
    trace('joined')
    cond = asyncio.Condition()
    await cond.acquire()
    r = await cond.wait_for(lambda: 7)
    trace(f'wait_for returned {r}')
    cond.release()
    b = asyncio.Barrier(1)
    i = await b.wait()
    trace(f'barrier passed: index={i}')
    await t

run(main())
