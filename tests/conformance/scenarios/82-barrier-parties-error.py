"""82 a Barrier needs at least one party: Barrier(0) and Barrier(-4) raise
ValueError

(asyncio docs: Barrier(parties); test_locks.py
BarrierTests.test_barrier_parties)."""
import asyncio
from harness import run, trace, describe


async def main():
    for n in (0, -4):
        try:
            asyncio.Barrier(n)
        except ValueError as e:
            trace(f'Barrier({n}): {describe(e)}')
    trace(f'Barrier(1): parties={asyncio.Barrier(1).parties}')

run(main())
