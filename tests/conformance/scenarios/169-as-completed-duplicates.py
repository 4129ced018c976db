"""169 as_completed given the same task twice yields it once: the iterator
has one step per distinct awaitable.

(asyncio.as_completed takes a set of the awaitables; test_tasks.py
test_as_completed_duplicate_coroutines.)
"""
import asyncio
from harness import run, trace


async def work(v, delay):
    await asyncio.sleep(delay)
    return v


async def main():
    a = asyncio.create_task(work(1, 2))
    b = asyncio.create_task(work(2, 1))
    got = []
    for step in asyncio.as_completed([a, b, a]):
        got.append(await step)
        trace(f'main: next={got[-1]}')
    trace(f'main: steps={len(got)}')

run(main())
