"""04 tasks made with create_task run concurrently.

Two tasks sleeping 2 s and 1 s both finish by t=2000, the shorter first:
their sleeps overlap (asyncio docs, "Running tasks concurrently").
"""
import asyncio
from harness import run, trace


async def worker(name, delay):
    await asyncio.sleep(delay)
    trace(f'{name}: woke')


async def main():
    a = asyncio.create_task(worker('A', 2))
    b = asyncio.create_task(worker('B', 1))
    await a
    await b
    trace('main: done')

run(main())
