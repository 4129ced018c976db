"""81 reset() fails the parties waiting with BrokenBarrierError and
returns the barrier to its empty state, ready for a new round

(asyncio docs: Barrier.reset; test_locks.py
BarrierTests.test_reset_barrier_while_tasks_waiting)."""
import asyncio
from harness import run, trace, describe


async def party(b, name, delay):
    await asyncio.sleep(delay)
    try:
        i = await b.wait()
    except asyncio.BrokenBarrierError as e:
        trace(f'{name}: {describe(e)}')
        return
    trace(f'{name} passed: index={i}')


async def main():
    b = asyncio.Barrier(3)
    first = [asyncio.create_task(party(b, n, 0)) for n in 'AB']
    await asyncio.sleep(1)
    await b.reset()
    trace('main: reset')
    for t in first:
        await t
    trace(f'main: broken={int(b.broken)} n_waiting={b.n_waiting}')
    again = [asyncio.create_task(party(b, n, d)) for n, d in (('X', 1), ('Y', 2), ('Z', 3))]
    for t in again:
        await t

run(main())
