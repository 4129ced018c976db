"""29 wait(FIRST_COMPLETED) returns as soon as one task is done and cancels
nothing.

asyncio.wait returns the (done, pending) sets when its condition holds; the
pending tasks go on running (asyncio docs, asyncio.wait). Names print in
argument order.
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
    done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    trace(f'main: done=[{names(tasks, done)}] pending=[{names(tasks, pending)}]')

run(main())
