"""86 an item put while a get() waits wakes that getter but is not
reserved for it: a get_nowait() that runs first takes it, and the woken
getter goes back to waiting

asyncio's put_nowait() stores the item and wakes the first getter, which
takes whatever is there when it runs (asyncio docs: Queue.get,
Queue.get_nowait; queues.py Queue.get loops while the queue is empty)."""
import asyncio
from harness import run, trace


async def getter(q):
    v = await q.get()
    trace(f'G: got {v}')


async def main():
    q = asyncio.Queue()
    g = asyncio.create_task(getter(q))
    await asyncio.sleep(1)
    q.put_nowait(1)
    try:
        trace(f'main: get_nowait -> {q.get_nowait()}')
    except asyncio.QueueEmpty:
        trace('main: get_nowait -> QueueEmpty')
    await asyncio.sleep(1)
    trace(f'main: G done={int(g.done())}, qsize={q.qsize()}')
    q.put_nowait(2)
    await g

run(main())
