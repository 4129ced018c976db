"""77 each party of a round gets its arrival index, n_waiting counts the
parties waiting, and a Barrier(1) lets every wait() through at once

The last party to arrive passes first, without waiting; the others pass
in the order they arrived. Afterwards the barrier is empty and not broken
(asyncio docs: Barrier.wait, n_waiting, parties; test_locks.py
BarrierTests.test_filling_task_by_task, test_filling_one_task_twice)."""
import asyncio
from harness import run, trace


async def party(b, name, delay):
    await asyncio.sleep(delay)
    trace(f'{name} arrives: n_waiting={b.n_waiting}')
    i = await b.wait()
    trace(f'{name} passed: index={i}')


async def main():
    b = asyncio.Barrier(3)
    tasks = [asyncio.create_task(party(b, 'A', 2)),
             asyncio.create_task(party(b, 'B', 1)),
             asyncio.create_task(party(b, 'C', 3))]
    for t in tasks:
        await t
    trace(f'main: parties={b.parties} n_waiting={b.n_waiting} broken={int(b.broken)}')
    one = asyncio.Barrier(1)
    i = await one.wait()
    j = await one.wait()
    trace(f'main: Barrier(1) passed twice: index={i}, {j}')

run(main())
