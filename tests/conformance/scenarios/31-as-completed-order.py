"""31 as_completed yields the results in completion order.

Each awaitable that as_completed yields gives the next result to arrive,
regardless of the argument order (asyncio docs, asyncio.as_completed).
"""
import asyncio
from harness import run, trace


async def worker(name, delay, value):
    await asyncio.sleep(delay)
    trace(f'{name}: done')
    return value


async def main():
    a = asyncio.create_task(worker('A', 3, 30))
    b = asyncio.create_task(worker('B', 1, 10))
    c = asyncio.create_task(worker('C', 2, 20))
    for nxt in asyncio.as_completed([a, b, c]):
        r = await nxt
        trace(f'main: next={r}')

run(main())
