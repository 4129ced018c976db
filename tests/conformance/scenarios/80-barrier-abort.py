"""80 abort() breaks the barrier: the parties waiting and every later
wait() raise BrokenBarrierError

(asyncio docs: Barrier.abort, BrokenBarrierError; test_locks.py
BarrierTests.test_abort_barrier, test_abort_barrier_when_exception)."""
import asyncio
from harness import run, trace, describe


async def party(b, name):
    try:
        await b.wait()
    except asyncio.BrokenBarrierError as e:
        trace(f'{name}: {describe(e)}')


async def main():
    b = asyncio.Barrier(3)
    a = asyncio.create_task(party(b, 'A'))
    c = asyncio.create_task(party(b, 'B'))
    await asyncio.sleep(1)
    await b.abort()
    trace(f'main: aborted, broken={int(b.broken)} n_waiting={b.n_waiting}')
    await a
    await c
    try:
        await b.wait()
    except asyncio.BrokenBarrierError as e:
        trace(f'main: later wait: {describe(e)}')

run(main())
