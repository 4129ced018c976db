"""54 Queue.shutdown wakes the waiting getters with QueueShutDown and refuses
later puts.

After shutdown(), a getter blocked on an empty queue raises QueueShutDown,
and put() raises QueueShutDown (asyncio docs, Queue.shutdown — new in
CPython 3.13, gh-96471). Older CPython has no shutdown, so the trace is
pinned to 3.13's.
"""
import asyncio
from harness import run, trace, code


async def getter(q):
    try:
        await q.get()
    except asyncio.QueueShutDown:
        trace('G: shut down')


async def main():
    q = asyncio.Queue()
    g = asyncio.create_task(getter(q))
    await asyncio.sleep(1)
    q.shutdown()
    await g
    try:
        await q.put(1)
    except asyncio.QueueShutDown as e:
        trace(f'main: put refused {code(e)}')

run(main())
