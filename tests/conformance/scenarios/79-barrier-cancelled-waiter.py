"""79 a party cancelled while waiting leaves the barrier: it no longer
counts, and the round completes with the parties that remain

(asyncio docs: Barrier.wait; test_locks.py
BarrierTests.test_filling_tasks_cancel_one)."""
import asyncio
from harness import run, trace


async def party(b, name, delay):
    await asyncio.sleep(delay)
    try:
        i = await b.wait()
    except asyncio.CancelledError:
        trace(f'{name}: cancelled')
        raise
    trace(f'{name} passed: index={i}')


async def main():
    b = asyncio.Barrier(3)
    a = asyncio.create_task(party(b, 'A', 0))
    x = asyncio.create_task(party(b, 'X', 1))
    await asyncio.sleep(2)
    trace(f'main: n_waiting={b.n_waiting}, cancels X')
    x.cancel()
    try:
        await x
    except asyncio.CancelledError:
        pass
    trace(f'main: n_waiting={b.n_waiting}')
    c = asyncio.create_task(party(b, 'C', 1))
    d = asyncio.create_task(party(b, 'D', 2))
    for t in (a, c, d):
        await t
    trace(f'main: n_waiting={b.n_waiting} broken={int(b.broken)}')

run(main())
