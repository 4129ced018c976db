"""30 wait(timeout=) returns what is done at the deadline and cancels nothing.

When the timeout passes first, asyncio.wait returns the partition at that
moment without raising; the pending tasks keep running and can still be
awaited (asyncio docs, asyncio.wait).
"""
import asyncio
from harness import run, trace


async def worker(name, delay, value):
    await asyncio.sleep(delay)
    trace(f'{name}: done')
    return value


def names(tasks, subset):
    return ', '.join(n for n, t in zip('ABC', tasks) if t in subset)


async def main():
    a = asyncio.create_task(worker('A', 2, 0))
    b = asyncio.create_task(worker('B', 1, 0))
    c = asyncio.create_task(worker('C', 3, 0))
    tasks = [a, b, c]
    done, pending = await asyncio.wait(tasks, timeout=1.5,
                                       return_when=asyncio.ALL_COMPLETED)
    trace(f'main: done=[{names(tasks, done)}] pending=[{names(tasks, pending)}]')
    await a
    trace('main: A still finished')

run(main())
