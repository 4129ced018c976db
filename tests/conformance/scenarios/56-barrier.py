"""56 a Barrier releases its parties together; the last to arrive goes on
first.

Barrier(3).wait() blocks until three tasks wait; the last one arriving
releases the others and returns first; each gets its arrival index
(asyncio docs, asyncio.Barrier).
"""
import asyncio
from harness import run, trace


async def party(barrier, name, delay):
    await asyncio.sleep(delay)
    i = await barrier.wait()
    trace(f'{name} passed index={i}')


async def main():
    barrier = asyncio.Barrier(3)
    await asyncio.gather(party(barrier, 'A', 2), party(barrier, 'B', 1), party(barrier, 'C', 3))

run(main())
