"""55 a PriorityQueue hands out the lowest priority first.

Entries are (priority, item) tuples; get() returns the smallest entry
first (asyncio docs, asyncio.PriorityQueue). The two entries of priority 5
come out in the order they were put (here their items also compare that
way). Each get finds an item ready and does not suspend.
"""
import asyncio
from harness import run, trace


async def main():
    q = asyncio.PriorityQueue()
    q.put_nowait((5, 'five'))
    q.put_nowait((1, 'one'))
    q.put_nowait((5, 'five again'))
    for _ in range(3):
        priority, item = await q.get()
        trace(f'got {item}')

run(main())
